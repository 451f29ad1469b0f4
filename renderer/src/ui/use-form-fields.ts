import { useState } from 'react';

type Checked = { ok: true } | { ok: false; errors: object };

/**
 * The state every desk form keeps: the typed values (strings, as the inputs hold them),
 * the errors shown under the fields, and the props that tie one field to both. `onEdit`
 * runs on every change (a form drops a warning that was about the old values).
 */
export function useFormFields<V extends Record<string, string>>(initial: V | (() => V), labels: Record<keyof V, string>, onEdit?: () => void) {
  const [values, setValues] = useState<V>(initial);
  const [errors, setErrors] = useState<Partial<Record<keyof V, string>>>({});

  const set = (key: keyof V) => (event: { currentTarget: HTMLInputElement | HTMLSelectElement }) => {
    const value = event.currentTarget.value;
    setValues((current) => ({ ...current, [key]: value }));
    onEdit?.();
  };
  const field = (key: keyof V & string) => ({ label: labels[key], name: key, value: values[key], onChange: set(key), error: errors[key] });

  /** The form's own check before anything is sent: shows its errors (false), or clears them (true). */
  function passes<R extends Checked>(result: R): result is Extract<R, { ok: true }> {
    if (!result.ok) {
      setErrors(result.errors as Partial<Record<keyof V, string>>);
      return false;
    }
    setErrors({});
    return true;
  }

  return { values, setValues, errors, setErrors, field, passes };
}

/** onKeyDown for a form's card: Escape closes it, as Cancel would. */
export function closeOnEscape(onCancel: () => void) {
  return (event: { key: string; preventDefault(): void }) => {
    if (event.key === 'Escape') {
      event.preventDefault();
      onCancel();
    }
  };
}
