/** Save and Cancel at the foot of a form; Save is disabled while the write is in flight. */
export function FormActions({ saveLabel, pending, onCancel }: { saveLabel: string; pending: boolean; onCancel: () => void }) {
  return (
    <div className="form-actions">
      <button type="submit" className="primary" disabled={pending}>
        {pending ? 'Saving…' : saveLabel}
      </button>
      <button type="button" onClick={onCancel}>
        Cancel
      </button>
    </div>
  );
}
