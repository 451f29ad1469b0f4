import { describe, expect, it } from 'vitest';
import { conflictValueText, describeBootstrap, entityLabel, fieldLabel, formatTimeLeft } from './sync-centre-text.ts';

const running = { rowsDone: 1200, rowsTotal: 5000, timeLeftMs: 95_000, done: false, startedAt: '2026-01-01T00:00:00Z', finishedAt: null };

describe('describeBootstrap', () => {
  it('gives the bar its figures and a spoken value text', () => {
    const view = describeBootstrap(running);
    expect(view).toMatchObject({ value: 1200, max: 5000, timeLeft: 'about 2 minutes left' });
    expect(view?.valueText).toMatch(/^1.?200 of 5.?000 rows, about 2 minutes left$/);
  });

  it('is absent when there is no download or it has finished', () => {
    expect(describeBootstrap(null)).toBeNull();
    expect(describeBootstrap({ ...running, rowsDone: 5000, timeLeftMs: 0, done: true, finishedAt: '2026-01-01T00:02:00Z' })).toBeNull();
  });

  it('keeps a valid bar before the total is known', () => {
    expect(describeBootstrap({ ...running, rowsDone: 0, rowsTotal: 0, timeLeftMs: null })).toMatchObject({ value: 0, max: 1, timeLeft: 'estimating time left' });
  });
});

describe('formatTimeLeft', () => {
  it('rounds to what a person needs', () => {
    expect([formatTimeLeft(400), formatTimeLeft(12_400), formatTimeLeft(61_000), formatTimeLeft(2 * 3600_000)]).toEqual([
      'less than a second left',
      'about 12 seconds left',
      'about 1 minute left',
      'about 2 hours left',
    ]);
  });
});

describe('conflict wording', () => {
  it('names fields and entities in words', () => {
    expect([fieldLabel('familyName'), fieldLabel('phone'), fieldLabel('*'), entityLabel('booking_conflict')]).toEqual(['Family name', 'Phone', 'Whole record', 'Booking conflict']);
  });

  it('shows values as text', () => {
    expect([conflictValueText('555-0101'), conflictValueText(null), conflictValueText(3), conflictValueText({ a: 1 })]).toEqual(['555-0101', '(empty)', '3', '{"a":1}']);
  });
});
