import { AppError, type ErrorCode } from '../../shared/errors.ts';
import { isId } from '../../shared/ids.ts';
import { auditedWork } from '../audit/audited-work.ts';
import { outcomeOf } from '../audit/audit-trail.ts';
import { classifyFailure } from '../jobs/failure.ts';
import { openTenantScope } from '../jobs/tenant-scope.ts';
import type { Services } from '../services.ts';
import { checkEnvelope, type EventEnvelope } from './envelope.ts';
import type { EventBus, EventDelivery } from './event-bus.ts';
import type { EventHandler, EventHandlers } from './event-handler.ts';
import { DEFAULT_EVENT_HANDLERS } from './handlers/index.ts';

export interface EventConsumerOptions {
  /** The durable consumer name (replicas with the same name share the work) and the ledger key. */
  name?: string;
  handlers?: EventHandlers;
  /** How long a claim on an event protects a handling in progress before a redelivery may take it over. */
  claimLeaseMs?: number;
}

class EventInProgress extends Error {
  override name = 'EventInProgress';
}

const NO_SUCH_ORG = new Set<string>(['TENANT_REQUIRED', 'TENANT_UNKNOWN']);

/**
 * Handles delivered events: validates the envelope, claims the event in the org's ledger
 * (handled once, however often delivered), re-establishes the org's tenant context from the
 * envelope's tenantId and nothing else, runs the type's handler in a TenantScope, and leaves
 * one audit entry (kind 'event') per handling. An envelope without a valid org, for an org that does not exist, or routed under
 * another org than it names, is rejected, logged and audited in the unattributed chain.
 */
export class EventConsumer {
  readonly name: string;
  private readonly services: Services;
  private readonly handlers: EventHandlers;
  private readonly claimLeaseMs: number;
  private unsubscribe: (() => Promise<void>) | null = null;

  constructor(services: Services, options: EventConsumerOptions = {}) {
    this.services = services;
    this.name = options.name ?? 'automation';
    this.handlers = options.handlers ?? DEFAULT_EVENT_HANDLERS;
    this.claimLeaseMs = options.claimLeaseMs ?? 30_000;
  }

  async start(bus: EventBus): Promise<void> {
    this.unsubscribe ??= await bus.subscribe(this.name, this.deliver);
  }

  async stop(): Promise<void> {
    await this.unsubscribe?.();
    this.unsubscribe = null;
  }

  /** One delivery from the bus (see EventDelivery). */
  readonly deliver: EventDelivery = async (raw, routedTenantId) => {
    const checked = checkEnvelope(raw);
    if (!checked.ok) return this.refuse(checked.code, { type: checked.type, eventId: checked.id, routedTenantId });
    const envelope = checked.envelope;
    if (routedTenantId !== null && routedTenantId !== envelope.tenantId) {
      return this.refuse('TENANT_MISMATCH', { type: envelope.type, eventId: envelope.id, routedTenantId });
    }
    const handler = this.handlers[envelope.type];
    const base = { tenantId: envelope.tenantId, eventId: envelope.id, type: envelope.type, consumer: this.name };
    if (!handler) {
      this.services.log({ level: 'debug', event: 'event_ignored', ...base });
      return 'done';
    }
    const { processedEvents } = this.services.automation;
    const claim = await processedEvents.claim(envelope.tenantId, this.name, envelope.id, this.claimLeaseMs);
    if (claim === 'duplicate') {
      this.services.log({ level: 'debug', event: 'event_duplicate', ...base });
      return 'done';
    }
    if (claim === 'busy') {
      // Another delivery of it is being handled right now: ask for this one again later.
      this.services.log({ level: 'debug', event: 'event_in_progress', ...base });
      throw new EventInProgress();
    }
    try {
      await this.run(handler, envelope);
    } catch (error) {
      const failure = classifyFailure(error);
      if (!failure.permanent) {
        await processedEvents.release(envelope.tenantId, this.name, envelope.id);
        this.services.log({ level: 'warn', event: 'event_failed', ...base, code: failure.code });
        throw error; // the bus delivers it again later
      }
      this.services.log({ level: 'warn', event: 'event_rejected', ...base, code: failure.code });
      // Remember the rejection in the org's ledger; an org that does not exist keeps no rows.
      if (NO_SUCH_ORG.has(failure.code)) await processedEvents.release(envelope.tenantId, this.name, envelope.id);
      else await processedEvents.finish(envelope.tenantId, this.name, envelope.id, 'rejected');
      return 'rejected';
    }
    await processedEvents.finish(envelope.tenantId, this.name, envelope.id, 'done');
    this.services.log({ level: 'info', event: 'event_handled', ...base });
    return 'done';
  };

  private run(handler: EventHandler, envelope: EventEnvelope): Promise<void> {
    return auditedWork(this.services.audit, { tenantId: envelope.tenantId, kind: 'event', name: envelope.type }, async (trail) => {
      trail.note('eventId', envelope.id);
      trail.note('consumer', this.name);
      const scope = await openTenantScope(this.services, envelope.tenantId).catch((error: unknown) => {
        if (error instanceof AppError && NO_SUCH_ORG.has(error.code)) {
          // Not an org's chain: an org that does not exist gets none.
          trail.tenantId = null;
          trail.note('claimedTenantId', envelope.tenantId);
        }
        throw error;
      });
      const payload = handler.payload.safeParse(envelope.payload);
      if (!payload.success) throw new AppError('VALIDATION', 'The details of this event are not valid.');
      await handler.handle(scope, payload.data, envelope, trail);
    });
  }

  /** An envelope no org context can be built from: logged, audited unattributed, never redelivered. */
  private async refuse(code: ErrorCode, facts: { type: string | null; eventId: string | null; routedTenantId: string | null }): Promise<'rejected'> {
    // Only well-formed ids reach logs and the audit detail; anything else on the wire could be text.
    const ids = {
      ...(facts.eventId ? { eventId: facts.eventId } : {}),
      ...(isId(facts.routedTenantId) ? { routedTenantId: facts.routedTenantId } : {}),
    };
    this.services.log({ level: 'warn', event: 'event_rejected', consumer: this.name, code, ...(facts.type ? { type: facts.type } : {}), ...ids });
    await this.services.audit.record({
      tenantId: null,
      actor: null,
      action: `event:${facts.type ?? 'invalid'}`,
      kind: 'event',
      entity: null,
      ids: [],
      outcome: outcomeOf(code),
      errorCode: code,
      detail: { consumer: this.name, ...ids },
      occurredAt: new Date(),
    });
    return 'rejected';
  }
}
