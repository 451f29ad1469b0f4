/**
 * Calendar arithmetic for the schedule. The clinic's days are UTC days for now (the local
 * API's schedule view says so), so every date here is a UTC calendar day, whatever the
 * workstation's own zone is.
 */

export type ScheduleMode = 'day' | 'week';

export function utcToday(now: Date = new Date()): string {
  return now.toISOString().slice(0, 10);
}

export function addUtcDays(date: string, days: number): string {
  const ms = Date.parse(`${date}T00:00:00Z`);
  return Number.isNaN(ms) ? date : new Date(ms + days * 86_400_000).toISOString().slice(0, 10);
}

/** The Monday of the ISO week the date falls in. */
export function mondayOf(date: string): string {
  const weekday = new Date(`${date}T00:00:00Z`).getUTCDay();
  return addUtcDays(date, -((weekday + 6) % 7));
}

/** HH:MM of an instant on the clinic's (UTC) clock. */
export function clinicTime(iso: string): string {
  const ms = Date.parse(iso);
  return Number.isNaN(ms) ? '' : new Date(ms).toISOString().slice(11, 16);
}

/** The clinic (UTC) calendar day of an instant. */
export function clinicDay(iso: string): string {
  const ms = Date.parse(iso);
  return Number.isNaN(ms) ? '' : new Date(ms).toISOString().slice(0, 10);
}

/** "Monday 7 December 2026" (long) or "Mon 7 Dec" (short), for a UTC calendar day. */
export function dayLabel(date: string, style: 'long' | 'short' = 'long'): string {
  const options: Intl.DateTimeFormatOptions =
    style === 'long' ? { weekday: 'long', day: 'numeric', month: 'long', year: 'numeric' } : { weekday: 'short', day: 'numeric', month: 'short' };
  return new Intl.DateTimeFormat('en-GB', { ...options, timeZone: 'UTC' }).format(new Date(`${date}T12:00:00Z`));
}

/** The first day the view asks for: the day itself, or the Monday of its week. */
export function rangeStart(mode: ScheduleMode, date: string): string {
  return mode === 'day' ? date : mondayOf(date);
}

/** Previous/next step: a day or a week. */
export function step(mode: ScheduleMode, date: string, direction: 1 | -1): string {
  return addUtcDays(date, direction * (mode === 'day' ? 1 : 7));
}

/** An instant from a clinic (UTC) day and HH:MM. */
export function clinicInstant(date: string, time: string): string {
  return new Date(`${date}T${time}:00Z`).toISOString();
}
