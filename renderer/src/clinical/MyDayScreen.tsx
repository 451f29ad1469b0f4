import { useEffect, useState } from 'react';
import { readAppError } from '../api/errors.ts';
import { can, hrefOf } from '../layout/routes.ts';
import { useSession } from '../session/use-session.ts';
import { Alert } from '../ui/Alert.tsx';
import { formatCalendarDate } from '../ui/format.ts';
import './clinical.css';
import { utcToday } from './clinical-text.ts';
import { DayAppointments } from './DayAppointments.tsx';
import { DayEncounters } from './DayEncounters.tsx';
import { PractitionerPicker } from './PractitionerPicker.tsx';
import { defaultPractitionerId, pickedPractitionerId, pickPractitionerId, rememberedPractitionerId, rememberPractitionerId } from './practitioner-choice.ts';
import { usePractitioners, useRefreshOnSync } from './use-clinical.ts';

/**
 * The clinician's day: the chosen practitioner's appointments (start an encounter from
 * one) and encounters of one UTC day, each opening its encounter. It opens on the
 * practitioner linked to the signed-in user; anyone may pick another (practitioner-choice.ts).
 */
export function MyDayScreen() {
  useRefreshOnSync();
  const session = useSession();
  const user = session.data?.user;
  const practitioners = usePractitioners();
  const [date, setDate] = useState(utcToday);
  const [picked, setPicked] = useState<string | null>(null);
  const userId = user?.userId ?? '';
  const list = practitioners.data ?? [];
  const practitionerId = defaultPractitionerId(list, { picked: picked ?? pickedPractitionerId(userId), remembered: rememberedPractitionerId() });
  const pick = (id: string) => {
    pickPractitionerId(userId, id);
    setPicked(id);
  };
  // Remember the practitioner in use, so the chart's "Open encounter" names the same one.
  useEffect(() => {
    if (practitionerId) rememberPractitionerId(practitionerId);
  }, [practitionerId]);
  const failure = practitioners.isError ? readAppError(practitioners.error) : null;

  return (
    <section aria-labelledby="my-day-heading" className="clinical">
      <div className="screen-head">
        <h1 id="my-day-heading">My day</h1>
      </div>
      {failure && <Alert tone="error" title="Could not load the practitioners">{failure.message}</Alert>}
      <div className="toolbar my-day-toolbar">
        <PractitionerPicker practitioners={list} value={practitionerId} onChange={pick} loading={practitioners.isPending} />
        <div className="field">
          <label htmlFor="my-day-date">Day (UTC)</label>
          <input id="my-day-date" type="date" value={date} onChange={(event) => event.currentTarget.value && setDate(event.currentTarget.value)} />
        </div>
      </div>
      {practitioners.isSuccess && list.length === 0 ? (
        <p className="empty">No practitioners have synced to this workstation yet, so there is no day to show. An administrator adds practitioners online; they appear here after the next sync.</p>
      ) : practitionerId ? (
        <>
          <p className="muted small">{`Showing ${formatCalendarDate(date, 'long')}.`}</p>
          <DayAppointments date={date} practitionerId={practitionerId} canStart={can(user?.role ?? 'front_desk', 'encounters.write')} />
          <DayEncounters date={date} practitionerId={practitionerId} />
        </>
      ) : null}
      <p className="muted small">
        Looking for someone else? Find them under <a href={hrefOf({ section: 'patients' })}>Patients</a>.
      </p>
    </section>
  );
}
