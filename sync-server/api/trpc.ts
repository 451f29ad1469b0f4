import { initTRPC } from '@trpc/server';
import type { Capability } from '../../shared/auth/capabilities.ts';
import { roleCan } from '../../shared/auth/capabilities.ts';
import { AppError } from '../../shared/errors.ts';
import { AuditTrail, outcomeOf, type AuditKind } from '../audit/audit-trail.ts';
import { errorCodeOf } from '../log.ts';
import { observeCall, requestIdOfError } from '../observability/call-observer.ts';
import type { RequestContext } from './context.ts';
import { describeError, toTrpcError } from './error-mapping.ts';
import { enterRequest } from './request-entry.ts';

/** What a procedure declares about itself; tests read it from the router. */
export interface ProcedureMeta {
  /** The capability a caller's role must hold (shared/auth/capabilities.ts). */
  capability?: Capability;
  /** Public procedures say so explicitly: health, sign-in, devices.enroll, devices.reportWipe. */
  public?: true;
  /** Only health: carries no tenant data, so it is not audited. */
  unaudited?: true;
}

/**
 * The error formatter is the single exit for errors: `error.data.appCode` carries the
 * shared ErrorCode, `message` a sentence for the person at the desk; no stack, no SQL,
 * no PHI (unknown errors become INTERNAL with a generic sentence).
 */
const t = initTRPC
  .context<RequestContext>()
  .meta<ProcedureMeta>()
  .create({
    isServer: true,
    errorFormatter({ shape, error, ctx }) {
      const described = describeError(error);
      return {
        code: shape.code,
        message: described.message,
        data: {
          appCode: described.code,
          httpStatus: described.httpStatus,
          ...(described.retryAfterMs !== undefined ? { retryAfterMs: described.retryAfterMs } : {}),
          path: shape.data.path,
          // So the person at the desk can quote it and support can find the call's log lines.
          ...requestIdOfError(error, ctx?.observed),
          ...(described.issues ? { issues: described.issues } : {}),
        },
      };
    },
  });

export const router = t.router;

/** Turns an AppError thrown anywhere below into a TRPCError with the mapped code. */
const appErrors = t.middleware(async ({ next }) => {
  const result = await next();
  if (!result.ok && result.error.cause instanceof AppError) throw toTrpcError(result.error.cause);
  return result;
});

/**
 * Every call (except health) leaves exactly one audit entry, whatever its outcome: the
 * trail is created here, filled by request entry and the handler, and written when the
 * call ends. Fail closed: a call whose audit entry cannot be written fails. (A call
 * refused before request entry, `refusedEarly`, is counted in an aggregated entry instead.)
 */
const audited = t.middleware(async ({ ctx, meta, path, type, next }) => {
  if (meta?.unaudited) return next({ ctx: { audit: new AuditTrail() } });
  const audit = new AuditTrail();
  const result = await next({ ctx: { audit } });
  const errorCode = result.ok ? null : describeError(result.error).code;
  try {
    await ctx.services.audit.record({
      tenantId: audit.tenantId,
      actor: audit.actor,
      action: path,
      kind: type as AuditKind,
      entity: audit.entity,
      ids: audit.ids,
      outcome: outcomeOf(errorCode),
      errorCode,
      detail: audit.detail,
      occurredAt: new Date(),
    });
  } catch (error) {
    ctx.services.log({ level: 'error', event: 'audit_not_recorded', action: path, error: errorCodeOf(error), ...(audit.tenantId ? { tenantId: audit.tenantId } : {}) });
    throw toTrpcError(new AppError('INTERNAL', 'The sync server could not record this request. Please try again.'));
  }
  return result;
});

/**
 * PostgreSQL text cannot hold U+0000, so a NUL anywhere in the input would surface as a
 * database error. Refused here, for every procedure and every field, as a validation error.
 */
const noNulBytes = t.middleware(async ({ getRawInput, next }) => {
  if (containsNul(await getRawInput())) throw new AppError('VALIDATION', 'The request contains a character that is not allowed (NUL).');
  return next();
});

function containsNul(value: unknown, depth = 0): boolean {
  if (typeof value === 'string') return value.includes('\u0000');
  if (depth > 32 || value === null || typeof value !== 'object') return false;
  for (const [key, child] of Object.entries(value)) {
    if (key.includes('\u0000') || containsNul(child, depth + 1)) return true;
  }
  return false;
}

/** Outermost: the call's request id and log scope, its metrics (observability/call-observer.ts). */
const observed = t.middleware(({ ctx, path, type, next }) => observeCall(ctx.observed, { path, type, claimedTenantId: ctx.credentials.tenantId }, next));

const observedProcedure = t.procedure.use(observed);
const baseProcedure = observedProcedure.use(audited).use(appErrors);

/**
 * Before request entry and the per-call audit: a device or org over its limits, whose
 * token request entry verified moments ago for the org it names again, is refused with no
 * database work; those refusals are audited in aggregate (limits/request-limits.ts). Never
 * admits: every call not refused here goes through request entry.
 */
const refusedEarly = t.middleware(({ ctx, path, type, next }) => {
  const refusal = ctx.services.limits?.refuseEarly(ctx.credentials, { action: path, kind: type as AuditKind });
  if (refusal) throw toTrpcError(refusal);
  return next();
});

/** Health, sign-in, device enrollment and the wipe report only (router.test.ts lists them); everything else goes through `authorized`. */
export const publicProcedure = baseProcedure.use(noNulBytes).meta({ public: true });

/** Runs only after request entry admitted the caller; the org and actor go on the audit trail. */
const sessionProcedure = observedProcedure.use(refusedEarly).use(audited).use(appErrors).use(async ({ ctx, type, next }) => {
  const session = await enterRequest(ctx.services, ctx.credentials, ctx.audit);
  const { tenantId, deviceId, userId, sessionId, role } = session;
  ctx.services.limits?.remember(ctx.credentials.token, { tenantId, deviceId, actor: { userId, sessionId, deviceId, role } });
  // Back-pressure keyed by the session's org and device, never by what the caller claims;
  // a subscription counts against the rates but holds no slot while it lives.
  const release = (await ctx.services.limits?.admit(session, type !== 'subscription')) ?? null;
  try {
    return await next({ ctx: { ...ctx, session } });
  } finally {
    release?.();
  }
}).use(noNulBytes); // after entry, so the refusal lands in the caller's own audit chain

/**
 * The only way to build a protected procedure: it names the capability it needs, and a
 * role without it gets FORBIDDEN (audited as denied) before the handler runs.
 */
export function authorized(capability: Capability) {
  return sessionProcedure.meta({ capability }).use(async ({ ctx, next }) => {
    if (!roleCan(ctx.session.role, capability)) {
      throw new AppError('FORBIDDEN', 'Your role does not allow this.');
    }
    return next();
  });
}
