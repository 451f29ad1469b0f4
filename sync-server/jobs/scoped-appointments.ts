import type { AppointmentFields } from '../../shared/entities/appointment.ts';
import { AppError } from '../../shared/errors.ts';
import type { Services } from '../services.ts';

export interface ScopedAppointment {
  id: string;
  status: AppointmentFields['status'];
  endsAt: string;
}

/** scheduling, bound to one org, as background work needs it. */
export interface ScopedAppointments {
  /** The appointment if it exists in this org; another org's id reads exactly like a missing one. */
  get(id: string): Promise<ScopedAppointment | null>;
  /**
   * booked → no_show through the scheduling desk's state-checked write (field-level LWW
   * stamped by the server clock, the org's change feed, pokes to its workstations).
   * False when it is no longer booked (someone checked it in or cancelled it meanwhile).
   */
  markNoShow(id: string): Promise<boolean>;
}

export function scopedAppointments(services: Services, tenantId: string): ScopedAppointments {
  const desk = services.scheduling.appointments;
  return {
    get: async (id) => {
      try {
        const { status, endsAt } = await desk.get(tenantId, id);
        return { id, status, endsAt };
      } catch (error) {
        if (error instanceof AppError && error.code === 'NOT_FOUND') return null;
        throw error;
      }
    },
    markNoShow: async (id) => {
      try {
        await desk.setStatus(tenantId, id, 'no_show');
        return true;
      } catch (error) {
        if (error instanceof AppError && error.code === 'CONFLICT') return false;
        throw error;
      }
    },
  };
}
