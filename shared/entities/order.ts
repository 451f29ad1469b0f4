import { z } from 'zod';
import { label } from '../api/text.ts';
import { ORDER_INITIAL_STATUSES, ORDER_KINDS, ORDER_STATUSES, orderCode, orderTransitionRefusal, type OrderStatus } from '../api/clinical.ts';
import { AppError } from '../errors.ts';
import { idSchema } from '../ids.ts';

/**
 * An order as it syncs. Its status moves only along the state machine of
 * shared/api/clinical.ts (ORDER_TRANSITIONS); its details are fixed once placed. The rules
 * below are the only copy: the server's desk procedures, its sync appliers and the
 * workstation's store all ask them.
 */
export const orderFieldsSchema = z.object({
  encounterId: idSchema,
  kind: z.enum(ORDER_KINDS),
  code: orderCode,
  description: label(500),
  status: z.enum(ORDER_STATUSES),
  orderedBy: idSchema,
});

export type OrderFields = z.infer<typeof orderFieldsSchema>;

export const orderNotFound = () => new AppError('NOT_FOUND', 'No such order in this organization.');

/** New orders go on open encounters only, as a draft or active; a closed encounter is finished documentation. */
export function orderPlacementRefusal(encounterStatus: 'open' | 'closed', status: OrderStatus): AppError | null {
  if (encounterStatus !== 'open') return new AppError('CONFLICT', 'This encounter is closed. Open a new encounter to place an order.');
  if (!(ORDER_INITIAL_STATUSES as readonly OrderStatus[]).includes(status)) {
    return new AppError('CONFLICT', 'A new order is placed as a draft or active, and moves on from there.');
  }
  return null;
}

/** An existing order changes only its status, and only along the state machine. */
export function orderChangeRefusal(current: Pick<OrderFields, 'status'>, changed: readonly string[], nextStatus: OrderStatus): AppError | null {
  if (changed.some((field) => field !== 'status')) {
    return new AppError('CONFLICT', "An order's details cannot change once it is placed. Cancel it and place a new one.");
  }
  if (!changed.includes('status')) return null;
  const refusal = orderTransitionRefusal(current.status, nextStatus);
  return refusal === null ? null : new AppError('CONFLICT', refusal);
}
