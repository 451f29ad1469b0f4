import { localToday } from '../ui/format.ts';
import { addDays } from './day.ts';

type Props = { day: string; onChange: (day: string) => void };

export function DayPicker({ day, onChange }: Props) {
  const today = localToday();
  return (
    <div className="day-picker" role="group" aria-label="Day shown">
      <button type="button" onClick={() => onChange(addDays(day, -1))}>
        <span aria-hidden="true">‹ </span>Previous day
      </button>
      <label className="visually-hidden" htmlFor="appointments-day">
        Day
      </label>
      <input id="appointments-day" type="date" value={day} onChange={(event) => event.currentTarget.value && onChange(event.currentTarget.value)} />
      <button type="button" onClick={() => onChange(addDays(day, 1))}>
        Next day<span aria-hidden="true"> ›</span>
      </button>
      <button type="button" onClick={() => onChange(today)} disabled={day === today}>
        Today
      </button>
    </div>
  );
}
