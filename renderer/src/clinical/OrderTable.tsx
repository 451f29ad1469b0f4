import type { ReactNode } from 'react';
import type { OrderRow } from '../api/types.ts';
import { DataTable } from '../ui/DataTable.tsx';
import { ORDER_KIND_LABELS, ORDER_STATUS_LABELS } from './clinical-text.ts';

/** Orders with their status; the encounter screen adds the allowed moves per row. */
export function OrderTable({ orders, caption, actions }: { orders: readonly OrderRow[]; caption: string; actions?: (order: OrderRow) => ReactNode }) {
  return (
    <DataTable caption={caption} columns={['Order', 'Kind', 'Code', 'Status', Boolean(actions) && 'Change status']}>
      {orders.map((order) => (
        <tr key={order.id}>
          <th scope="row">{order.description}</th>
          <td>{ORDER_KIND_LABELS[order.kind]}</td>
          <td>{order.code}</td>
          <td>
            <span className={`status-tag order-${order.status}`}>{ORDER_STATUS_LABELS[order.status]}</span>
          </td>
          {actions && <td>{actions(order)}</td>}
        </tr>
      ))}
    </DataTable>
  );
}
