import type { AppErrorView } from '../api/errors.ts';

/** A short title per expected sign-in failure; the body is the API's own message. */
export function signInErrorTitle(error: AppErrorView): string {
  switch (error.code) {
    case 'INVALID_CREDENTIALS':
      return 'Sign-in failed: check the organization code, username and password';
    case 'OFFLINE':
      return 'Cannot reach the Clinicsync server';
    case 'UNAUTHENTICATED':
      return 'Offline sign-in is no longer allowed';
    case 'TENANT_UNKNOWN':
      return 'Unknown organization code';
    case 'TENANT_SUSPENDED':
      return 'This organization is suspended';
    case 'ORG_OFFBOARDED':
      return 'This organization has left Clinicsync; its data was removed from this workstation';
    case 'DEVICE_REVOKED':
      return "This workstation was removed from the organization; its data was removed from this workstation";
    case 'DEVICE_NOT_ENROLLED':
      return 'This workstation must be enrolled by your IT team first';
    case 'RATE_LIMITED':
      return 'Too many attempts';
    case 'ACCOUNT_LOCKED':
      return 'This account is locked: an administrator of your organization must unlock it';
    case 'PROTOCOL_UNSUPPORTED':
      return 'This workstation needs an update';
    default:
      return 'Sign-in failed';
  }
}
