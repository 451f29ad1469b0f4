import { useEffect, useRef, useState } from 'react';

/**
 * Signing is final, so it takes two steps: "Sign" asks, "Sign note" confirms. Focus moves
 * to the confirmation and back; Escape or "Keep as draft" steps back without signing.
 */
export function SignNoteControl({ pending, onSign }: { pending: boolean; onSign: () => void }) {
  const [asking, setAsking] = useState(false);
  const confirm = useRef<HTMLButtonElement>(null);
  const start = useRef<HTMLButtonElement>(null);
  const wasAsking = useRef(false);
  useEffect(() => {
    if (asking) confirm.current?.focus();
    else if (wasAsking.current) start.current?.focus();
    wasAsking.current = asking;
  }, [asking]);

  if (!asking) {
    return (
      <button type="button" ref={start} onClick={() => setAsking(true)}>
        Sign
      </button>
    );
  }
  return (
    <div className="confirm" role="group" aria-label="Confirm signing" onKeyDown={(event) => event.key === 'Escape' && setAsking(false)}>
      <p>Sign this note? A signed note can no longer change; corrections are added as amendments.</p>
      <button type="button" className="primary" ref={confirm} disabled={pending} onClick={onSign}>
        {pending ? 'Signing…' : 'Sign note'}
      </button>
      <button type="button" onClick={() => setAsking(false)}>
        Keep as draft
      </button>
    </div>
  );
}
