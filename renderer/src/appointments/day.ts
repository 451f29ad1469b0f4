import { localToday } from '../ui/format.ts';

/** The local calendar day (YYYY-MM-DD) an instant falls on at this workstation. */
export function localDayOf(iso: string): string {
  const date = new Date(iso);
  return Number.isNaN(date.getTime()) ? '' : localToday(date);
}

/** YYYY-MM-DD plus n days, through local noon so DST changes cannot skip or repeat a day. */
export function addDays(day: string, n: number): string {
  const date = new Date(`${day}T12:00:00`);
  if (Number.isNaN(date.getTime())) return day;
  date.setDate(date.getDate() + n);
  return localToday(date);
}
