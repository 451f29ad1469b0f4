import type { SyncStatus } from '../api/types.ts';

export type BootstrapView = { value: number; max: number; rows: string; timeLeft: string; valueText: string };

const count = new Intl.NumberFormat(undefined);

/** "about 2 minutes left"; rounded so the bar's text does not flicker every second. */
export function formatTimeLeft(ms: number | null): string {
  if (ms === null) return 'estimating time left';
  const seconds = Math.max(0, Math.round(ms / 1000));
  if (seconds < 60) return seconds <= 1 ? 'less than a second left' : `about ${seconds} seconds left`;
  const minutes = Math.round(seconds / 60);
  if (minutes < 60) return minutes === 1 ? 'about 1 minute left' : `about ${minutes} minutes left`;
  const hours = Math.round(minutes / 6) / 10;
  return `about ${hours} hours left`;
}

/** The first download's bar, or null when there is none running (never started, or finished). */
export function describeBootstrap(bootstrap: SyncStatus['bootstrap']): BootstrapView | null {
  if (!bootstrap || bootstrap.done) return null;
  // A total of 0 is "not counted yet": keep max positive so <progress> stays valid.
  const max = Math.max(bootstrap.rowsTotal, bootstrap.rowsDone, 1);
  const value = Math.min(bootstrap.rowsDone, max);
  const rows = `${count.format(value)} of ${count.format(bootstrap.rowsTotal)} rows`;
  const timeLeft = formatTimeLeft(bootstrap.timeLeftMs);
  return { value, max, rows, timeLeft, valueText: `${rows}, ${timeLeft}` };
}

/** "familyName" → "Family name"; "*" is a whole record that lost. */
export function fieldLabel(field: string): string {
  if (field === '*') return 'Whole record';
  const words = field.replace(/_/g, ' ').replace(/([a-z0-9])([A-Z])/g, '$1 $2').toLowerCase();
  return words.charAt(0).toUpperCase() + words.slice(1);
}

/** "booking_conflict" → "Booking conflict". */
export function entityLabel(entity: string): string {
  return fieldLabel(entity);
}

/** A logged value as a person reads it: text as is, nothing as "(empty)", anything else as compact JSON. */
export function conflictValueText(value: unknown): string {
  if (value === null || value === undefined || value === '') return '(empty)';
  if (typeof value === 'string') return value;
  if (typeof value === 'number' || typeof value === 'boolean') return String(value);
  return JSON.stringify(value);
}
