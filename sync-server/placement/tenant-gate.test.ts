import { describe, expect, it } from 'vitest';
import { AppError } from '../../shared/errors.ts';
import { TenantGate } from './tenant-gate.ts';

const ORG_A = '0190a0a0-0000-7000-8000-00000000000a';
const ORG_B = '0190b0b0-0000-7000-8000-00000000000b';
const tick = () => new Promise((resolve) => setTimeout(resolve, 5));

describe('TenantGate', () => {
  it('holds new work of the org while closed, lets other orgs through, and releases it when opened', async () => {
    const gate = new TenantGate({ waitMs: 5_000 });
    const open = await gate.close(ORG_A, 1_000);
    const order: string[] = [];
    const a = gate.run(ORG_A, async () => order.push('a'));
    await gate.run(ORG_B, async () => order.push('b'));
    await tick();
    expect(order).toEqual(['b']);
    open();
    await a;
    expect(order).toEqual(['b', 'a']);
  });

  it('waits for work in flight before it reports closed', async () => {
    const gate = new TenantGate({ waitMs: 5_000 });
    let finish!: () => void;
    const running = gate.run(ORG_A, () => new Promise<void>((resolve) => (finish = resolve)));
    let closed = false;
    const closing = gate.close(ORG_A, 5_000).then((open) => {
      closed = true;
      return open;
    });
    await tick();
    expect(closed).toBe(false);
    finish();
    await running;
    (await closing)();
    expect(closed).toBe(true);
  });

  it('refuses to close when work in flight does not finish in time, and opens again', async () => {
    const gate = new TenantGate({ waitMs: 5_000 });
    let finish!: () => void;
    const running = gate.run(ORG_A, () => new Promise<void>((resolve) => (finish = resolve)));
    await expect(gate.close(ORG_A, 20)).rejects.toMatchObject({ code: 'CONFLICT' });
    await expect(gate.run(ORG_A, async () => 'through')).resolves.toBe('through');
    finish();
    await running;
  });

  it('answers RATE_LIMITED with a sentence when the wait is too long', async () => {
    const gate = new TenantGate({ waitMs: 20 });
    const open = await gate.close(ORG_A, 1_000);
    const error = await gate.run(ORG_A, async () => 'never').catch((e: unknown) => e);
    expect(error).toBeInstanceOf(AppError);
    expect(error).toMatchObject({ code: 'RATE_LIMITED', message: expect.stringMatching(/being moved.*try again/i) });
    open();
  });

  it('lets nested work of an org that is already inside pass, so a move cannot deadlock on it', async () => {
    const gate = new TenantGate({ waitMs: 5_000 });
    let closing: Promise<() => void> | undefined;
    const outer = gate.run(ORG_A, async () => {
      closing = gate.close(ORG_A, 5_000);
      await tick();
      return gate.run(ORG_A, async () => 'inner');
    });
    await expect(outer).resolves.toBe('inner');
    (await closing!)();
  });
});
