import { TRPCClientError } from '@trpc/client';
import { isErrorCode, type ErrorCode } from '../../../shared/errors.ts';

export type AppErrorView = {
  code: ErrorCode | null;
  message: string;
  /** Per-field messages when the server sent them (tRPC's zod flatten convention). */
  fieldErrors: Record<string, string>;
};

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null;
}

function readFieldErrors(data: Record<string, unknown>): Record<string, string> {
  const out: Record<string, string> = {};
  const zodError = data['zodError'];
  const source = isRecord(zodError) ? zodError['fieldErrors'] : data['fieldErrors'];
  if (!isRecord(source)) return out;
  for (const [field, messages] of Object.entries(source)) {
    const first = Array.isArray(messages) ? messages[0] : messages;
    if (typeof first === 'string') out[field] = first;
  }
  return out;
}

/** Reads the shared error code and the human message off whatever a call rejected with. */
export function readAppError(error: unknown): AppErrorView {
  if (error instanceof TRPCClientError) {
    const data: unknown = error.data;
    if (isRecord(data)) {
      const appCode = data['appCode'];
      return { code: isErrorCode(appCode) ? appCode : null, message: error.message, fieldErrors: readFieldErrors(data) };
    }
    // No tRPC data: the request never reached the local API (the browser-mode host answers
    // a lost launch session with data and an app code, so this is the host not answering).
    return { code: null, message: 'The workstation service is not responding. Try again in a moment.', fieldErrors: {} };
  }
  return { code: null, message: 'Something went wrong. Try again.', fieldErrors: {} };
}
