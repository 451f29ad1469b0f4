import { randomBytes } from 'node:crypto';
import { jetstream, jetstreamManager } from '@nats-io/jetstream';
import { connect } from '@nats-io/transport-node';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { z } from 'zod';
import { requireNats, testNatsUrl } from '../../test/support/nats.ts';
import { requirePostgres, testPostgresUrl } from '../../test/support/postgres.ts';
import { uuidv7 } from '../../shared/ids.ts';
import { UNATTRIBUTED_TENANT_ID } from '../audit/audit-trail.ts';
import { JobStore } from '../domains/process_automation/job-store.ts';
import { WorkflowRuns } from '../domains/process_automation/workflow-runs.ts';
import { MARK_NO_SHOW } from '../jobs/handlers/mark-no-show.ts';
import { JobRunner } from '../jobs/job-runner.ts';
import { addAppointments, auditOf, openFixture, seedOrg, snapshotOrg, waitFor, type AutomationFixture, type SeededOrg } from '../jobs/test-fixtures.ts';
import { testEngines } from '../testing/engines.ts';
import { appointmentFields, createOrg, signedIn, startTestServer } from '../testing/harness.ts';
import type { EventEnvelope } from './envelope.ts';
import type { EventBus } from './event-bus.ts';
import { EventConsumer } from './event-consumer.ts';
import { defineEventHandler } from './event-handler.ts';
import { DEFAULT_EVENT_HANDLERS } from './handlers/index.ts';
import { NO_SHOW_FOLLOW_UP } from './handlers/appointment-status-changed.ts';
import { createJetStreamEventBus, eventSubject, type EventStreamNames } from './jetstream-event-bus.ts';
import { createMemoryEventBus } from './memory-event-bus.ts';
import { OutboxRelay } from './outbox-relay.ts';

const engines = testEngines(await requirePostgres('sync-server/events/event-bus (PostgreSQL)'), testPostgresUrl());
const natsAvailable = await requireNats('sync-server/events/event-bus (NATS JetStream)');

const REDELIVERY = { maxDeliver: 3, retryBaseMs: 20 };

/** A stream of the test's own, so runs and suites sharing the NATS server never see each other's events. */
function testStream(): EventStreamNames {
  const suffix = randomBytes(5).toString('hex');
  return { stream: `CS_TEST_${suffix}`, subjectPrefix: `cstest.${suffix}` };
}

async function deleteStream(names: EventStreamNames): Promise<void> {
  const nc = await connect({ servers: testNatsUrl() });
  try {
    await (await jetstreamManager(nc)).streams.delete(names.stream);
  } finally {
    await nc.close();
  }
}

/** Publishes bytes straight onto a subject, as anyone holding NATS credentials could. */
async function publishRaw(subject: string, body: string): Promise<void> {
  const nc = await connect({ servers: testNatsUrl() });
  try {
    await jetstream(nc).publish(subject, body);
  } finally {
    await nc.close();
  }
}

const envelopeFor = (tenantId: string, type: string, payload: Record<string, unknown> = {}): EventEnvelope => ({
  id: uuidv7(),
  tenantId,
  type,
  occurredAt: new Date().toISOString(),
  payload,
});

for (const engine of engines) {
  for (const kind of ['memory', 'nats'] as const) {
    describe.skipIf(!engine.available || (kind === 'nats' && !natsAvailable))(`domain events, ${kind} bus (${engine.name})`, () => {
      let fx: AutomationFixture;
      let bus: EventBus;
      let names: EventStreamNames | null = null;
      let consumer: EventConsumer;
      let relay: OutboxRelay;
      let a: SeededOrg;
      let b: SeededOrg;
      let flakyFailures = 1;

      beforeAll(async () => {
        fx = await openFixture(engine);
        const log = fx.services.log;
        if (kind === 'nats') {
          names = testStream();
          bus = await createJetStreamEventBus(testNatsUrl(), log, { names, redelivery: REDELIVERY, ackWaitMs: 5_000 });
        } else {
          bus = createMemoryEventBus(log, REDELIVERY);
        }
        consumer = new EventConsumer(fx.services, {
          handlers: {
            ...DEFAULT_EVENT_HANDLERS,
            'test.flaky': defineEventHandler(z.strictObject({}), async () => {
              if (flakyFailures-- > 0) throw new Error('transient');
            }),
            'test.always_fails': defineEventHandler(z.strictObject({}), async () => {
              throw new Error('transient');
            }),
          },
        });
        await consumer.start(bus);
        relay = new OutboxRelay(fx.services, bus);
        a = await seedOrg(fx, 'events-a');
        b = await seedOrg(fx, 'events-b');
      });
      afterAll(async () => {
        await consumer?.stop();
        await bus?.close();
        if (names) await deleteStream(names);
        await fx?.dispose();
      });

      const eventEntries = async (tenantId: string, eventId: string) => (await auditOf(fx, tenantId, 'event')).filter((e) => e.detail.eventId === eventId);

      it('a no-show job announces the change and the consumer opens a follow-up in the same org', async () => {
        const { past } = await addAppointments(fx, a, { past: 1 });
        const appointmentId = past[0]!;
        await fx.services.automation.jobs.enqueue(a.tenantId, { type: MARK_NO_SHOW, payload: { appointmentIds: [appointmentId] } });
        await new JobRunner(fx.services).drain();
        expect(await relay.drain()).toBe(1);
        expect(await fx.services.automation.outbox.pendingCount(a.tenantId)).toBe(0);

        await waitFor(async () => (await fx.services.automation.workflows.list(a.tenantId, NO_SHOW_FOLLOW_UP)).some((r) => r.subjectId === appointmentId));
        const runs = (await fx.services.automation.workflows.list(a.tenantId, NO_SHOW_FOLLOW_UP)).filter((r) => r.subjectId === appointmentId);
        expect(runs).toMatchObject([{ state: 'open', step: 'contact_patient' }]);
        await waitFor(async () => (await auditOf(fx, a.tenantId, 'event')).some((e) => e.detail.workflowRunId === runs[0]!.id));
        const entry = (await auditOf(fx, a.tenantId, 'event')).find((e) => e.detail.workflowRunId === runs[0]!.id);
        expect(entry).toMatchObject({ action: 'event:appointment.status_changed', kind: 'event', actorUserId: null, outcome: 'ok', ids: [appointmentId] });
        expect(await fx.services.automation.workflows.list(b.tenantId, NO_SHOW_FOLLOW_UP)).toEqual([]);
      });

      it("an event for org A naming org B's appointment is rejected and changes nothing of B", async () => {
        const { past } = await addAppointments(fx, b, { past: 1 });
        await fx.services.scheduling.appointments.setStatus(b.tenantId, past[0]!, 'no_show');
        const bBefore = await snapshotOrg(fx.databases, b.tenantId);
        const { id } = await fx.services.automation.outbox.emit(a.tenantId, {
          type: 'appointment.status_changed',
          payload: { appointmentId: past[0]!, from: 'booked', to: 'no_show' },
        });
        await relay.drain();
        await waitFor(async () => (await eventEntries(a.tenantId, id)).length > 0);
        expect(await eventEntries(a.tenantId, id)).toMatchObject([{ outcome: 'error', errorCode: 'NOT_FOUND', ids: [] }]);
        expect(fx.logs).toContainEqual(expect.objectContaining({ event: 'event_rejected', eventId: id, code: 'NOT_FOUND', tenantId: a.tenantId }));
        expect(await snapshotOrg(fx.databases, b.tenantId)).toEqual(bBefore);
        expect((await fx.services.automation.workflows.list(a.tenantId, NO_SHOW_FOLLOW_UP)).some((r) => r.subjectId === past[0])).toBe(false);
      });

      it('rejects, logs and audits (unattributed) an envelope without a valid org, for an unknown org, or routed under another org', async () => {
        const bBefore = await snapshotOrg(fx.databases, b.tenantId);
        const valid = envelopeFor(b.tenantId, 'appointment.status_changed', { appointmentId: uuidv7(), from: 'booked', to: 'no_show' });
        const cases: [string, unknown, string | null, string][] = [
          ['no org', { ...valid, id: uuidv7(), tenantId: undefined }, null, 'TENANT_REQUIRED'],
          ['an org that is not an id', { ...valid, id: uuidv7(), tenantId: "b'; DROP TABLE process_automation.jobs; --" }, null, 'TENANT_REQUIRED'],
          ['an unknown org', { ...valid, id: uuidv7(), tenantId: uuidv7() }, null, 'TENANT_UNKNOWN'],
          ['routed under org A', { ...valid, id: uuidv7() }, a.tenantId, 'TENANT_MISMATCH'],
        ];
        const before = (await auditOf(fx, UNATTRIBUTED_TENANT_ID, 'event')).length;
        for (const [what, raw, routed, code] of cases) {
          expect(await consumer.deliver(raw, routed), what).toBe('rejected');
          const id = (raw as { id: string }).id;
          expect(fx.logs, what).toContainEqual(expect.objectContaining({ event: 'event_rejected', eventId: id, code }));
        }
        const unattributed = (await auditOf(fx, UNATTRIBUTED_TENANT_ID, 'event')).slice(before);
        expect(unattributed.map((e) => [e.errorCode, e.outcome])).toEqual(cases.map(([, , , code]) => [code, 'refused']));
        expect(await snapshotOrg(fx.databases, b.tenantId)).toEqual(bBefore);
      });

      it.skipIf(kind !== 'nats')('rejects raw messages put on the stream by hand, the same way', async () => {
        const prefix = names!.subjectPrefix;
        const before = (await auditOf(fx, UNATTRIBUTED_TENANT_ID, 'event')).length;
        const forged = envelopeFor(b.tenantId, 'appointment.status_changed', { appointmentId: uuidv7(), from: 'booked', to: 'no_show' });
        // B's event published under A's subject; garbage; an envelope without an org.
        await publishRaw(eventSubject(prefix, a.tenantId, forged.type), JSON.stringify(forged));
        await publishRaw(eventSubject(prefix, a.tenantId, forged.type), 'not json {');
        await publishRaw(`${prefix}.nonsense.appointment.status_changed`, JSON.stringify({ ...forged, id: uuidv7(), tenantId: undefined }));
        await waitFor(async () => (await auditOf(fx, UNATTRIBUTED_TENANT_ID, 'event')).length >= before + 3);
        const codes = (await auditOf(fx, UNATTRIBUTED_TENANT_ID, 'event')).slice(before).map((e) => e.errorCode);
        expect(codes.sort()).toEqual(['TENANT_MISMATCH', 'TENANT_REQUIRED', 'TENANT_REQUIRED']);
      });

      it('handles an event delivered twice only once', async () => {
        const { past } = await addAppointments(fx, a, { past: 1 });
        await fx.services.scheduling.appointments.setStatus(a.tenantId, past[0]!, 'no_show');
        const event = envelopeFor(a.tenantId, 'appointment.status_changed', { appointmentId: past[0]!, from: 'booked', to: 'no_show' });
        await bus.publish(event);
        await bus.publish(event);
        await waitFor(async () => (await eventEntries(a.tenantId, event.id)).length > 0);
        expect(await consumer.deliver(structuredClone(event), a.tenantId)).toBe('done');
        await new Promise((resolve) => setTimeout(resolve, 200));
        expect(await eventEntries(a.tenantId, event.id)).toHaveLength(1);
        expect((await fx.services.automation.workflows.list(a.tenantId, NO_SHOW_FOLLOW_UP)).filter((r) => r.subjectId === past[0])).toHaveLength(1);
        expect(fx.logs).toContainEqual(expect.objectContaining({ event: 'event_duplicate', eventId: event.id }));
      });

      it('delivers a failed handling again with backoff, and gives up after the delivery limit', async () => {
        const flaky = envelopeFor(a.tenantId, 'test.flaky');
        const doomed = envelopeFor(a.tenantId, 'test.always_fails');
        await bus.publish(flaky);
        await bus.publish(doomed);
        await waitFor(async () => (await eventEntries(a.tenantId, flaky.id)).some((e) => e.outcome === 'ok'));
        expect((await eventEntries(a.tenantId, flaky.id)).map((e) => e.outcome)).toEqual(['error', 'ok']);
        await waitFor(() => fx.logs.some((e) => e.event === 'event_dead'));
        expect((await eventEntries(a.tenantId, doomed.id)).map((e) => [e.outcome, e.errorCode])).toEqual([
          ['error', 'INTERNAL'],
          ['error', 'INTERNAL'],
          ['error', 'INTERNAL'],
        ]);
      });
    });
  }

  describe.skipIf(!engine.available || !natsAvailable)(`the server runs jobs and events by itself over NATS JetStream (${engine.name})`, () => {
    it('a job enqueued by another replica is run, announced and followed up', async () => {
      const eventStream = testStream();
      const server = await startTestServer(engine, {
        bus: { kind: 'nats', servers: testNatsUrl(), eventStream },
        automation: { runner: { pollMs: 50 }, relay: { pollMs: 50 } },
      });
      try {
        const org = await createOrg(server, 'auto-a');
        const desk = await signedIn(server, { code: 'auto-a', ...org });
        const patientId = uuidv7();
        const appointmentId = uuidv7();
        const hourAgo = Date.now() - 60 * 60_000;
        await desk.device.push(
          desk.device.mutation('patient', patientId, { givenName: 'Ada', familyName: 'Testington', birthDate: '1970-01-01', sex: 'female', phone: '', mrn: 'A-1' }),
          desk.device.mutation('appointment', appointmentId, appointmentFields(patientId, { startsAt: new Date(hourAgo).toISOString(), endsAt: new Date(hourAgo + 15 * 60_000).toISOString() })),
        );
        // Another replica's stores on the same database: only the poll can find this job.
        const db = server.databases.domains.process_automation;
        const { id } = await new JobStore(db).enqueue(org.tenantId, { type: MARK_NO_SHOW, payload: { appointmentIds: [appointmentId] } });
        await waitFor(async () => (await new WorkflowRuns(db).list(org.tenantId, NO_SHOW_FOLLOW_UP)).length === 1);
        // The follow-up can start (from the job's event) before the runner has marked the job done.
        await waitFor(async () => (await new JobStore(db).get(org.tenantId, id))?.status === 'done');
        const { changes } = await desk.device.pullAll('scheduling');
        expect(changes.find((c) => c.id === appointmentId)?.fields).toMatchObject({ status: 'no_show' });
      } finally {
        await server.stop();
        await deleteStream(eventStream);
      }
    });
  });
}
