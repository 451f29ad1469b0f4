import { useQuery } from '@tanstack/react-query';
import { api } from '../api/client.ts';
import { useSession } from '../session/use-session.ts';
import { can } from '../layout/routes.ts';

export const bookingConflictsCountKey = ['sync-booking-conflicts', 'count'] as const;

/**
 * Double-booked slots are decided on the schedule, not here; the Sync centre only says how
 * many are open and links there (for a role that may see the schedule).
 */
export function BookingConflictsNote() {
  const role = useSession().data?.user?.role ?? null;
  const count = useQuery({ queryKey: bookingConflictsCountKey, queryFn: () => api.sync.bookingConflicts.count.query(), refetchInterval: 5000 });
  if (!count.data) return null;
  const text = count.data === 1 ? '1 double-booked slot is waiting for a decision.' : `${count.data} double-booked slots are waiting for a decision.`;
  return (
    <section aria-labelledby="booking-conflicts-heading" className="booking-conflicts">
      <h2 id="booking-conflicts-heading">Booking conflicts</h2>
      <p>
        {text}{' '}
        {role && can(role, 'schedule.read') ? <a href="#/schedule">Open the schedule to resolve them</a> : <span className="muted">The front desk resolves them on the schedule.</span>}
      </p>
    </section>
  );
}
