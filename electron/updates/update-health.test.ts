import { writeFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { tempDir } from '../test-support/temp-dir.ts';
import { beforeInstall, confirmHealthy, EMPTY_STATE, isBlocked, onStart, updateHealthFile, type UpdateHealthState } from './update-health.ts';

const now = new Date('2026-05-01T10:00:00Z');

/** Runs the starts of `running`, feeding each state into the next, as the app would across restarts. */
function starts(state: UpdateHealthState, running: string, count: number) {
  const outcomes = [];
  for (let i = 0; i < count; i++) {
    const next = onStart(state, running, now);
    state = next.state;
    outcomes.push(next.outcome);
  }
  return { state, outcomes };
}

describe('update health (rollback state machine)', () => {
  it('a new version that confirms within its starts is kept, and nothing is blocked', () => {
    const installing = beforeInstall(EMPTY_STATE, '1.3.0', '1.4.0', now);
    const { state, outcomes } = starts(installing, '1.4.0', 2);
    expect(outcomes).toEqual([
      { kind: 'awaiting_confirmation', from: '1.3.0', to: '1.4.0', start: 1 },
      { kind: 'awaiting_confirmation', from: '1.3.0', to: '1.4.0', start: 2 },
    ]);
    const confirmed = confirmHealthy(state, '1.4.0');
    expect(confirmed).toEqual(EMPTY_STATE);
    expect(onStart(confirmed, '1.4.0', now).outcome).toEqual({ kind: 'normal' });
  });

  it('a new version that never confirms in 3 starts is blocked and puts the workstation in recovery until another version confirms', () => {
    const installing = beforeInstall(EMPTY_STATE, '1.3.0', '1.4.0', now);
    const { state, outcomes } = starts(installing, '1.4.0', 4);
    expect(outcomes.at(-1)).toEqual({ kind: 'failed_to_start', from: '1.3.0', to: '1.4.0', starts: 3 });
    expect(isBlocked(state, '1.4.0')).toBe(true);
    expect(state.recovery).toEqual({ badVersion: '1.4.0', since: now.toISOString() });
    expect(state.pending).toBeNull();
    // Still on the bad version: recovery stays even if this start happens to work.
    expect(confirmHealthy(state, '1.4.0').recovery).not.toBeNull();
    // IT put 1.3.0 back on the feed; the downgrade installs and confirms: recovery ends, 1.4.0 stays blocked.
    const back = confirmHealthy(starts(beforeInstall(state, '1.4.0', '1.3.0', now), '1.3.0', 1).state, '1.3.0');
    expect(back.recovery).toBeNull();
    expect(isBlocked(back, '1.4.0')).toBe(true);
    expect(isBlocked(back, '1.4.1')).toBe(false);
  });

  it('an installer that did not replace the app is reported; the second time that version is blocked', () => {
    const first = onStart(beforeInstall(EMPTY_STATE, '1.3.0', '1.4.0', now), '1.3.0', now);
    expect(first.outcome).toEqual({ kind: 'did_not_install', from: '1.3.0', to: '1.4.0', attempts: 1, blocked: false });
    expect(isBlocked(first.state, '1.4.0')).toBe(false);
    const second = onStart(beforeInstall(first.state, '1.3.0', '1.4.0', now), '1.3.0', now);
    expect(second.outcome).toEqual({ kind: 'did_not_install', from: '1.3.0', to: '1.4.0', attempts: 2, blocked: true });
    expect(second.state.blocked).toEqual([{ version: '1.4.0', reason: 'did_not_install', at: now.toISOString() }]);
  });

  it('a version installed by hand (neither side of the pending update) clears the pending update without judging it', () => {
    expect(onStart(beforeInstall(EMPTY_STATE, '1.3.0', '1.4.0', now), '1.5.0', now)).toEqual({ state: EMPTY_STATE, outcome: { kind: 'normal' } });
  });

  it('keeps its state in a plain JSON file of versions and counts; a damaged file counts as empty', () => {
    const dir = tempDir();
    try {
      const file = updateHealthFile(dir.path);
      expect(file.read()).toEqual(EMPTY_STATE);
      const state = starts(beforeInstall(EMPTY_STATE, '1.3.0', '1.4.0', now), '1.4.0', 1).state;
      file.write(state);
      expect(file.read()).toEqual(state);
      writeFileSync(file.path, '{"pending": 7');
      expect(file.read()).toEqual(EMPTY_STATE);
      writeFileSync(file.path, JSON.stringify({ ...state, blocked: 'everything' }));
      expect(file.read()).toEqual(EMPTY_STATE);
    } finally {
      dir.remove();
    }
  });
});
