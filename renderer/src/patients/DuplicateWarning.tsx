import { useEffect, useRef } from 'react';
import type { DuplicateCandidate } from '../api/types.ts';
import { formatCalendarDate } from '../ui/format.ts';

const WHY: Record<DuplicateCandidate['reasons'][number], string> = {
  mrn: 'same MRN',
  name_birth_date: 'similar name, same date of birth',
  phone_birth_date: 'same phone, same date of birth',
};

type Props = {
  candidates: readonly DuplicateCandidate[];
  pending: boolean;
  onUse: (candidate: DuplicateCandidate) => void;
  onSaveAnyway: () => void;
  onEdit: () => void;
};

/**
 * Shown instead of the Save button when the store holds likely duplicates: the desk picks
 * the existing record or saves a new one explicitly. The heading takes focus so a screen
 * reader hears the warning and Tab reaches the choices next.
 */
export function DuplicateWarning({ candidates, pending, onUse, onSaveAnyway, onEdit }: Props) {
  const heading = useRef<HTMLHeadingElement>(null);
  useEffect(() => heading.current?.focus(), []);
  const count = candidates.length;
  return (
    <section className="duplicate-warning" aria-labelledby="duplicate-heading">
      <h3 id="duplicate-heading" ref={heading} tabIndex={-1}>
        {count === 1 ? 'This patient may already be registered' : `${count} patients like this are already registered`}
      </h3>
      <p>Check with the patient. Using the existing record keeps their history in one chart.</p>
      <ul className="duplicate-list" aria-label="Possible duplicates">
        {candidates.map((candidate) => {
          const p = candidate.patient;
          const name = `${p.familyName}, ${p.givenName}`;
          return (
            <li key={p.id}>
              <span>
                <strong>{name}</strong> · born {formatCalendarDate(p.birthDate)}
                {p.mrn ? ` · MRN ${p.mrn}` : ''}
                {p.phone ? ` · ${p.phone}` : ''}
                <br />
                <span className="duplicate-why">Why: {candidate.reasons.map((reason) => WHY[reason]).join('; ')}</span>
              </span>
              <button type="button" className="primary" onClick={() => onUse(candidate)} aria-label={`Use this patient: ${name}`}>
                Use this patient
              </button>
            </li>
          );
        })}
      </ul>
      <div className="form-actions">
        <button type="button" onClick={onSaveAnyway} disabled={pending}>
          {pending ? 'Saving…' : 'Save as new anyway'}
        </button>
        <button type="button" onClick={onEdit}>
          Change the details
        </button>
      </div>
    </section>
  );
}
