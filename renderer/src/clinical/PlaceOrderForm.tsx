import { useEffect, useRef, type FormEvent } from 'react';
import { ORDER_INITIAL_STATUSES, orderPlaceInput } from '../../../shared/api/clinical.ts';
import { readAppError } from '../api/errors.ts';
import { Alert } from '../ui/Alert.tsx';
import { FormActions } from '../ui/FormActions.tsx';
import { SelectField } from '../ui/SelectField.tsx';
import { TextField } from '../ui/TextField.tsx';
import { useFormFields } from '../ui/use-form-fields.ts';
import { fieldErrors, serverFieldErrors } from '../ui/zod-errors.ts';
import { ORDER_KIND_OPTIONS, ORDER_STATUS_LABELS } from './clinical-text.ts';
import { usePlaceOrder } from './use-clinical.ts';

const LABELS = { kind: 'Order kind', code: 'Code', description: 'Description', status: 'Place as' } as const;
type Values = Record<keyof typeof LABELS, string>;
const EMPTY: Values = { kind: 'lab', code: '', description: '', status: 'active' };
const STATUS_OPTIONS = ORDER_INITIAL_STATUSES.map((status) => ({ value: status, label: ORDER_STATUS_LABELS[status] }));

/** Places an order on this encounter with the shared input rules (checked before saving). */
export function PlaceOrderForm({ encounterId, onDone }: { encounterId: string; onDone: () => void }) {
  const place = usePlaceOrder();
  const { values, setValues, setErrors, field } = useFormFields(EMPTY, LABELS);
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
      onError: (error) => setErrors(serverFieldErrors(readAppError(error).fieldErrors, LABELS)),
    });
  }

  const failure = place.isError ? readAppError(place.error) : null;
  return (
    <form className="card form-grid" aria-label="Place order" noValidate onSubmit={submit} onKeyDown={(event) => event.key === 'Escape' && onDone()}>
      {failure && Object.keys(failure.fieldErrors).length === 0 && (
        <div className="span-all">
          <Alert tone="error" title="Could not place the order">{failure.message}</Alert>
        </div>
      )}
      <SelectField {...field('kind')} options={ORDER_KIND_OPTIONS} selectRef={first} />
      <TextField {...field('code')} hint="LOINC, CPT, RxNorm…" autoComplete="off" />
      <TextField {...field('description')} autoComplete="off" className="span-2" />
      <SelectField {...field('status')} options={STATUS_OPTIONS} />
      <FormActions saveLabel="Place order" pending={place.isPending} onCancel={onDone} />
    </form>
  );
}
