import type { PractitionerOption } from '../api/types.ts';
import { SelectField } from '../ui/SelectField.tsx';

/** The practitioner whose day is shown (the user's own linked one unless they pick another). */
export function PractitionerPicker({ practitioners, value, onChange, loading }: { practitioners: readonly PractitionerOption[]; value: string; onChange: (id: string) => void; loading: boolean }) {
  const options = practitioners.map((p) => ({ value: p.id, label: p.displayName }));
  return (
    <SelectField
      label="Practitioner"
      value={value}
      options={options}
      disabled={loading || options.length === 0}
      {...(options.length === 0 ? { placeholder: loading ? 'Loading…' : 'None synced yet' } : {})}
      onChange={(event) => onChange(event.currentTarget.value)}
    />
  );
}
