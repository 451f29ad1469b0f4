import { useState } from 'react';
import type { OrderRow } from '../api/types.ts';
import { readAppError } from '../api/errors.ts';
import { Alert } from '../ui/Alert.tsx';
import { orderMoves } from './clinical-text.ts';
import { OrderTable } from './OrderTable.tsx';
import { PlaceOrderForm } from './PlaceOrderForm.tsx';
import { useTransitionOrder } from './use-clinical.ts';

/** The encounter's orders; each row offers only the moves the shared state machine allows. */
export function EncounterOrders({ encounterId, orders, canWrite, encounterOpen }: { encounterId: string; orders: readonly OrderRow[]; canWrite: boolean; encounterOpen: boolean }) {
  const [placing, setPlacing] = useState(false);
  const transition = useTransitionOrder();
  const failure = transition.isError ? readAppError(transition.error) : null;
  return (
    <section aria-labelledby="encounter-orders" className="clinical-part">
      <div className="part-head">
        <h2 id="encounter-orders">Orders</h2>
        {canWrite && encounterOpen && (
          <button type="button" aria-expanded={placing} onClick={() => setPlacing((now) => !now)}>
            Place order
          </button>
        )}
      </div>
      {placing && <PlaceOrderForm encounterId={encounterId} onDone={() => setPlacing(false)} />}
      {failure && <Alert tone="error" title="Could not change the order">{failure.message}</Alert>}
      {orders.length === 0 ? (
        <p className="empty">No orders on this encounter yet.</p>
      ) : (
        <OrderTable
          orders={orders}
          caption="Orders on this encounter"
          actions={
            canWrite
              ? (order) => {
                  const moves = orderMoves(order.status);
                  if (moves.length === 0) return <span className="muted">Final</span>;
                  return (
                    <div className="order-moves" role="group" aria-label={`Change status of ${order.description}`}>
                      {moves.map((move) => (
                        <button key={move.to} type="button" disabled={transition.isPending} onClick={() => transition.mutate({ id: order.id, to: move.to })}>
                          {move.label}
                        </button>
                      ))}
                    </div>
                  );
                }
              : undefined
          }
        />
      )}
    </section>
  );
}
