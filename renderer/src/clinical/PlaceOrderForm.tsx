import { useEffect, useRef, useState, type FormEvent } from 'react';
import { ORDER_INITIAL_STATUSES, orderPlaceInput } from '../../../shared/api/clinical.ts';
import { readAppError } from '../api/errors.ts';
import { Alert } from '../ui/Alert.tsx';
import { FormActions } from '../ui/FormActions.tsx';
import { SelectField } from '../ui/SelectField.tsx';
import { TextField } from '../ui/TextField.tsx';
import { fieldErrors } from '../ui/zod-errors.ts';
import { ORDER_KIND_OPTIONS, ORDER_STATUS_LABELS } from './clinical-text.ts';
import { usePlaceOrder } from './use-clinical.ts';

const LABELS = { kind: 'Order kind', code: 'Code', description: 'Description', status: 'Place as' } as const;
type Values = Record<keyof typeof LABELS, string>;
const EMPTY: Values = { kind: 'lab', code: '', description: '', status: 'active' };
const STATUS_OPTIONS = ORDER_INITIAL_STATUSES.map((status) => ({ value: status, label: ORDER_STATUS_LABELS[status] }));

/** Places an order on this encounter with the shared input rules (checked before saving). */
export function PlaceOrderForm({ encounterId, onDone }: { encounterId: string; onDone: () => void }) {
  const place = usePlaceOrder();
  const [values, setValues] = useState<Values>(EMPTY);
  const [errors, setErrors] = useState<Partial<Values>>({});
  const first = useRef<HTMLSelectElement>(null);
  useEffect(() => first.current?.focus(), []);

  function submit(event: FormEvent<HTMLFormElement>) {
    event.preventDefault();
    const parsed = orderPlaceInput.safeParse({ encounterId, ...values });
    if (!parsed.success) {
      setErrors(fieldErrors(parsed.error, LABELS));
      return;
    }
    setErrors({});
    place.mutate(parsed.data, {
      onSuccess: () => {
        setValues(EMPTY);
        onDone();
      },
      onError: (error) => {
        const server: Partial<Values> = {};
        for (const [field, message] of Object.entries(readAppError(error).fieldErrors)) {
          if (field in LABELS) server[field as keyof Values] = `${LABELS[field as keyof Values]} ${message}`;
        }
        setErrors(server);
      },
    });
  }

  const set = (key: keyof Values) => (event: { currentTarget: HTMLInputElement | HTMLSelectElement }) => {
    const value = event.currentTarget.value;
    setValues((current) => ({ ...current, [key]: value }));
  };
  const failure = place.isError ? readAppError(place.error) : null;
  return (
    <form className="card form-grid" aria-label="Place order" noValidate onSubmit={submit} onKeyDown={(event) => event.key === 'Escape' && onDone()}>
      {failure && Object.keys(failure.fieldErrors).length === 0 && (
        <div className="span-all">
          <Alert tone="error" title="Could not place the order">{failure.message}</Alert>
        </div>
      )}
      <SelectField label={LABELS.kind} value={values.kind} options={ORDER_KIND_OPTIONS} onChange={set('kind')} selectRef={first} error={errors.kind} />
      <TextField label={LABELS.code} value={values.code} onChange={set('code')} error={errors.code} hint="LOINC, CPT, RxNorm…" autoComplete="off" />
      <TextField label={LABELS.description} value={values.description} onChange={set('description')} error={errors.description} autoComplete="off" className="span-2" />
      <SelectField label={LABELS.status} value={values.status} options={STATUS_OPTIONS} onChange={set('status')} error={errors.status} />
      <FormActions saveLabel="Place order" pending={place.isPending} onCancel={onDone} />
    </form>
  );
}
