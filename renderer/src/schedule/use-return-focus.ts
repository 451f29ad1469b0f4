import { useEffect, useRef, useState, type RefObject } from 'react';

/**
 * Focus goes back where a form was opened from once it closes (saved or dismissed). A save
 * changes the schedule, so the return waits until the view has `settled` (no refetch in
 * flight); if the opener is gone by then (the slot was booked, the card moved, the conflict
 * is resolving) or can no longer take focus, the fallback (a heading) takes it instead.
 */
export function useReturnFocus(fallback: RefObject<HTMLElement | null>, settled: boolean) {
  const opener = useRef<HTMLElement | null>(null);
  const [due, setDue] = useState(false);

  useEffect(() => {
    if (!due || !settled) return;
    setDue(false);
    const target = opener.current;
    opener.current = null;
    if (target?.isConnected && !target.matches(':disabled')) target.focus();
    else fallback.current?.focus();
  }, [due, settled, fallback]);

  return {
    /** Call as a form opens: the focused control (the one pressed) is where focus returns. */
    remember() {
      opener.current = document.activeElement instanceof HTMLElement && document.activeElement !== document.body ? document.activeElement : null;
    },
    /** Call as the form closes. */
    restore() {
      setDue(true);
    },
    /** The form closed by its own toggle, which keeps focus: nothing to return. */
    forget() {
      opener.current = null;
    },
  };
}
