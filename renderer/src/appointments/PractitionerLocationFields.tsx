import { useScheduleChoices } from '../schedule/use-schedule.ts';
import { SelectField } from '../ui/SelectField.tsx';
import { nameOptions } from './name-options.ts';

/** What useFormFields' `field(key)` gives one select. */
type FieldProps = {
  label: string;
  name: string;
  value: string;
  error: string | undefined;
  onChange: (event: { currentTarget: HTMLSelectElement }) => void;
};

type Props = { practitioner: FieldProps; location: FieldProps };

/**
 * Practitioner and location as choices from the synced staff and locations (the booking and
 * reschedule forms share them). "None" stays possible: an appointment may name neither.
 */
export function PractitionerLocationFields({ practitioner, location }: Props) {
  const choices = useScheduleChoices().data;
  return (
    <>
      <SelectField {...practitioner} options={nameOptions(choices?.practitioners, practitioner.value)} placeholder="No practitioner" />
      <SelectField {...location} options={nameOptions(choices?.locations, location.value)} placeholder="No location" />
    </>
  );
}
