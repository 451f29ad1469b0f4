import { z } from 'zod';
import { APPOINTMENT_STATUSES } from '../../shared/entities/appointment.ts';
import { idSchema } from '../../shared/ids.ts';

/**
 * Every domain event type and its payload, the contract between producers and consumers.
 * Payloads are ids and codes only, never PHI: they travel over the bus and NATS keeps them.
 */
export const EVENT_PAYLOADS = {
  /** An appointment's status moved (`from` is what the producer saw before its write). */
  'appointment.status_changed': z.strictObject({
    appointmentId: idSchema,
    from: z.enum(APPOINTMENT_STATUSES),
    to: z.enum(APPOINTMENT_STATUSES),
  }),
} as const;

export type EventType = keyof typeof EVENT_PAYLOADS;
export type EventPayload<T extends EventType> = z.infer<(typeof EVENT_PAYLOADS)[T]>;
