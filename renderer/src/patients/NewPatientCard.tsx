import { useState } from 'react';
import type { PatientRow } from '../api/types.ts';
import { LinkExistingForm } from './LinkExistingForm.tsx';
import { NewPatientForm } from './NewPatientForm.tsx';

type Shown = Pick<PatientRow, 'id' | 'givenName' | 'familyName'>;

type Props = {
  /** Roles with patients.link may link a patient another organization registered. */
  canLink: boolean;
  /** Show this patient in the list with a message; `openChart`: the desk chose an existing patient. */
  onDone: (patient: Shown | null, message: string, openChart: boolean) => void;
  onCancel: () => void;
};

/** The "New patient" card: register someone new, or link a patient who is already known elsewhere. */
export function NewPatientCard({ canLink, onDone, onCancel }: Props) {
  const [mode, setMode] = useState<'register' | 'link'>('register');
  const heading = mode === 'register' ? 'New patient' : 'Link an existing patient';
  return (
    <section className="card" aria-labelledby="new-patient-heading">
      <div className="card-head">
        <h2 id="new-patient-heading">{heading}</h2>
        {canLink && (
          <button type="button" onClick={() => setMode(mode === 'register' ? 'link' : 'register')}>
            {mode === 'register' ? 'Link an existing patient' : 'Register a new patient instead'}
          </button>
        )}
      </div>
      {mode === 'register' ? (
        <NewPatientForm
          onCreated={(patient) => onDone(patient, `Saved ${patient.givenName} ${patient.familyName}. It shows as “Pending sync” until it reaches the server; clear the search to see everyone.`, false)}
          onUseExisting={(patient) => onDone(patient, `Using the existing record of ${patient.givenName} ${patient.familyName}; nothing new was saved.`, true)}
          onCancel={onCancel}
        />
      ) : (
        <LinkExistingForm onLinked={(patient, message) => onDone(patient, message, false)} onCancel={onCancel} />
      )}
    </section>
  );
}
