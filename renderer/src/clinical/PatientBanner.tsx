import type { PatientHeader } from '../api/types.ts';
import { formatCalendarDate } from '../ui/format.ts';

/** Who the chart or encounter is about: name, birth date and MRN, always in view at the top. */
export function PatientBanner({ patient, headingId, title }: { patient: PatientHeader | null | undefined; headingId: string; title: string }) {
  return (
    <header className="patient-banner">
      <h1 id={headingId}>
        {title}
        {patient && <span className="patient-name">{`: ${patient.familyName}, ${patient.givenName}`}</span>}
      </h1>
      {patient ? (
        <dl className="patient-facts">
          <div>
            <dt>Date of birth</dt>
            <dd>{formatCalendarDate(patient.birthDate)}</dd>
          </div>
          <div>
            <dt>MRN</dt>
            <dd>{patient.mrn || '—'}</dd>
          </div>
        </dl>
      ) : (
        <p className="muted">This patient’s details are not on this workstation yet.</p>
      )}
    </header>
  );
}
