import { SelectField } from '../ui/SelectField.tsx';
import type { ScheduleChoices } from '../api/types.ts';
import { step, utcToday, type ScheduleMode } from './schedule-dates.ts';
import type { ScheduleFilters } from './use-schedule.ts';

type Props = {
  mode: ScheduleMode;
  date: string;
  filters: ScheduleFilters;
  choices: ScheduleChoices | undefined;
  onMode: (mode: ScheduleMode) => void;
  onDate: (date: string) => void;
  onFilters: (filters: ScheduleFilters) => void;
};

/** Day or week, which one, and whose: every control labelled, all reachable by Tab. */
export function ScheduleToolbar({ mode, date, filters, choices, onMode, onDate, onFilters }: Props) {
  const unit = mode === 'day' ? 'day' : 'week';
  const practitioners = (choices?.practitioners ?? []).map((p) => ({ value: p.id, label: p.name }));
  const locations = (choices?.locations ?? []).map((l) => ({ value: l.id, label: l.name }));
  return (
    <div className="sched-toolbar">
      <div role="group" aria-label="View" className="segmented">
        <button type="button" aria-pressed={mode === 'day'} onClick={() => onMode('day')}>
          Day
        </button>
        <button type="button" aria-pressed={mode === 'week'} onClick={() => onMode('week')}>
          Week
        </button>
      </div>
      <div role="group" aria-label={`Which ${unit}`} className="sched-stepper">
        <button type="button" onClick={() => onDate(step(mode, date, -1))}>
          <span aria-hidden="true">‹ </span>Previous {unit}
        </button>
        <button type="button" onClick={() => onDate(utcToday())}>
          Today
        </button>
        <button type="button" onClick={() => onDate(step(mode, date, 1))}>
          Next {unit}
          <span aria-hidden="true"> ›</span>
        </button>
        <label className="visually-hidden" htmlFor="schedule-date">
          Date shown
        </label>
        <input id="schedule-date" type="date" value={date} onChange={(event) => event.currentTarget.value && onDate(event.currentTarget.value)} />
      </div>
      <SelectField
        label="Practitioner filter"
        value={filters.practitionerId}
        options={practitioners}
        placeholder="All practitioners"
        onChange={(event) => onFilters({ ...filters, practitionerId: event.currentTarget.value })}
      />
      <SelectField
        label="Location filter"
        value={filters.locationId}
        options={locations}
        placeholder="All locations"
        onChange={(event) => onFilters({ ...filters, locationId: event.currentTarget.value })}
      />
    </div>
  );
}
