import { useEffect, useRef, type KeyboardEvent } from 'react';

type Props = { what: string; pending: boolean; onConfirm: () => void; onKeep: () => void };

/** "Cancel this appointment?" in place: focus moves to the question's first answer; Escape keeps it. */
export function ConfirmCancel({ what, pending, onConfirm, onKeep }: Props) {
  const confirm = useRef<HTMLButtonElement>(null);
  useEffect(() => confirm.current?.focus(), []);
  function onKeyDown(event: KeyboardEvent<HTMLDivElement>) {
    if (event.key === 'Escape') {
      event.preventDefault();
      onKeep();
    }
  }
  return (
    <div className="confirm" role="group" aria-label={`Cancel ${what}?`} onKeyDown={onKeyDown}>
      <p>Cancel {what}? The slot becomes free again.</p>
      <button type="button" className="danger" ref={confirm} disabled={pending} onClick={onConfirm}>
        Yes, cancel appointment
      </button>
      <button type="button" onClick={onKeep}>
        Keep it
      </button>
    </div>
  );
}
