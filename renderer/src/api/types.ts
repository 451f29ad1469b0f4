import type { inferRouterInputs, inferRouterOutputs } from '@trpc/server';
import type { LocalApiRouter } from '../../../electron/local-api/router.ts';

type Inputs = inferRouterInputs<LocalApiRouter>;
type Outputs = inferRouterOutputs<LocalApiRouter>;

export type SessionStatus = Outputs['session']['status'];
export type SignInInput = Inputs['session']['signIn'];
export type SyncStatus = Outputs['sync']['status'];
export type PatientRow = Outputs['patients']['list'][number];
export type NewPatientInput = Inputs['patients']['create'];
export type AppointmentRow = Outputs['appointments']['list'][number];
export type NewAppointmentInput = Inputs['appointments']['create'];
