import { AppError } from '../../shared/errors.ts';

/**
 * The device-lifecycle refusals, worded once. Each is told only to a caller that has shown
 * it may know: the org's status is not secret (its id or code is enough), and a device is
 * told it was revoked only after the right password or one of its own session tokens.
 */
export const orgOffboarded = () => new AppError('ORG_OFFBOARDED', 'This organization has left Clinicsync; its records are no longer served.');

export const orgSuspended = () => new AppError('TENANT_SUSPENDED', 'This organization is suspended.');

export const deviceRevoked = () =>
  new AppError('DEVICE_REVOKED', "This workstation has been removed from the organization by its IT administrator.");

export const deviceNotEnrolled = () =>
  new AppError('DEVICE_NOT_ENROLLED', 'This organization accepts only workstations enrolled by its IT administrator. Ask them for an enrollment token.');
