import type { ScheduleDay } from '../api/types.ts';

export type ScheduleView = ScheduleDay;
export type ScheduleColumn = ScheduleView['columns'][number];
export type Booked = ScheduleColumn['appointments'][number];
export type FreeSlot = ScheduleColumn['freeSlots'][number];
export type OpenConflict = ScheduleView['openConflicts'][number];

/** What the desk may do here (hiding is for calm; the local API refuses anyway). */
export type DeskRights = { write: boolean; checkIn: boolean };

/** A free slot someone chose to book: prefills the booking form. */
export type SlotChoice = { date: string; time: string; practitionerName: string; location: string };
