import { randomBytes } from 'node:crypto';
import { join } from 'node:path';
import type { EntityName } from '../../../shared/entities/catalog.ts';
import { uuidv7 } from '../../../shared/ids.ts';
import type { Mutation, MutationResult } from '../../../shared/sync/mutation.ts';
import { PROTOCOL_VERSION } from '../../../shared/sync/version.ts';
import { ENTITY_TABLES } from '../../../electron/store/entity-tables.ts';
import { OrgStore } from '../../../electron/store/org-store.ts';
import { pendingBatch } from '../../../electron/store/outbox.ts';
import { readEntity } from '../../../electron/store/rows.ts';
import { SyncEngine, type ForeignOrgMessage } from '../../../electron/sync/engine.ts';
import { createSyncTransport, signInToServer, type SyncTransport } from '../../../electron/sync/transport.ts';
import type { TcpRelay } from '../../../electron/test-support/tcp-relay.ts';
import { tempDir } from '../../../electron/test-support/temp-dir.ts';
import type { EntityRecipe } from './entity-recipes.ts';
import { serverContent, type ReplicaContent } from './replica-content.ts';

export interface OrgAccount {
  label: string;
  code: string;
  tenantId: string;
  username: string;
  password: string;
}

/** A mutation a desk made, with what its field values were based on (the HLC each edited field had locally). */
export interface MadeMutation {
  tenantId: string;
  desk: string;
  deviceId: string;
  mutation: Mutation;
  baseHlc: Record<string, string>;
}

/** What the test saw of every mutation: made, and what the server answered (when the answer arrived). */
export class MutationLog {
  readonly made = new Map<string, MadeMutation>();
  readonly answers = new Map<string, MutationResult['status']>();
  readonly rejected: MutationResult[] = [];

  record(result: MutationResult): void {
    this.answers.set(result.mutationId, result.status);
    if (result.status === 'rejected') this.rejected.push(result);
  }
}

/** How long a listening desk waits for its poke subscription before syncing anyway (over HTTP). */
const SUBSCRIBE_GUARD_MS = 3_000;

/**
 * One workstation of the property test: a real encrypted store and the real sync engine,
 * whose traffic goes through its own TCP relay (the "network" the test cuts). The engine's
 * loop is not started: the test decides when each desk syncs. A listening desk holds a poke
 * subscription (taken again before a sync when a cut or restart ended it), so its pushes
 * and pulls ride the WebSocket, and the relay's cuts hit socket frames too.
 */
export class Desk {
  readonly name: string;
  readonly org: OrgAccount;
  readonly deviceId: string;
  readonly store: OrgStore;
  readonly engine: SyncEngine;
  readonly relay: TcpRelay;
  readonly foreign: ForeignOrgMessage[] = [];
  private readonly transport: SyncTransport;
  private readonly folder: { path: string; remove: () => void };
  private readonly listens: boolean;
  private unsubscribe: (() => void) | null = null;
  /** Subscriptions the server admitted for this desk (coverage). */
  subscriptions = 0;

  private constructor(init: { name: string; org: OrgAccount; deviceId: string; store: OrgStore; transport: SyncTransport; relay: TcpRelay; folder: { path: string; remove: () => void }; log: MutationLog; listens: boolean }) {
    this.name = init.name;
    this.listens = init.listens;
    this.org = init.org;
    this.deviceId = init.deviceId;
    this.store = init.store;
    this.relay = init.relay;
    this.transport = init.transport;
    this.folder = init.folder;
    const recording: SyncTransport = {
      ...init.transport,
      push: async (input, signal) => {
        const result = await init.transport.push(input, signal);
        for (const answer of result.results) init.log.record(answer);
        return result;
      },
      pull: (input, signal) => init.transport.pull(input, signal),
    };
    this.engine = new SyncEngine({ store: init.store, transport: recording, deviceId: init.deviceId, onForeignOrg: (what) => this.foreign.push(what) });
  }

  /** Signs in directly (set-up is not under test), then syncs through the relay. */
  static async open(name: string, org: OrgAccount, serverUrl: string, relay: TcpRelay, log: MutationLog, { listens = false }: { listens?: boolean } = {}): Promise<Desk> {
    const deviceId = uuidv7();
    const session = await signInToServer(serverUrl, {
      protocolVersion: PROTOCOL_VERSION,
      org: org.code,
      username: org.username,
      password: org.password,
      deviceId,
      deviceName: name,
    });
    const folder = tempDir(`clinicsync-desk-${name}-`);
    const store = OrgStore.open({ path: join(folder.path, 'store.db'), key: randomBytes(32), tenantId: org.tenantId, deviceId });
    const transport = createSyncTransport(relay.url, { tenantId: session.tenantId, token: session.token });
    return new Desk({ name, org, deviceId, store, transport, relay, folder, log, listens });
  }

  /** A listening desk without a live subscription takes one, waiting until the server has it or refused it. */
  private listen(): Promise<void> {
    if (!this.listens || this.unsubscribe) return Promise.resolve();
    return new Promise<void>((resolve) => {
      const guard = setTimeout(resolve, SUBSCRIBE_GUARD_MS);
      const settle = () => (clearTimeout(guard), resolve());
      const unsubscribe = this.transport.subscribePokes({
        onPoke: () => {}, // the test decides when to sync
        onStarted: () => ((this.subscriptions += 1), settle()),
        onEnded: () => {
          if (this.unsubscribe === unsubscribe) this.unsubscribe = null;
          settle();
        },
      });
      this.unsubscribe ??= unsubscribe;
    });
  }

  /** One sync; a failure (the network the test broke) is an outcome, not an error. */
  async sync(): Promise<string> {
    await this.listen();
    try {
      await this.engine.syncNow();
      return 'ok';
    } catch (error) {
      return (error as { code?: string }).code ?? 'thrown';
    }
  }

  /** Creates a record offline through the store's repository; returns false when the recipe had nothing to go on. */
  create(recipe: EntityRecipe, pick: number, log: MutationLog): boolean {
    const fields = recipe.create(this.store.db, pick);
    if (!fields) return false;
    recipe.repository(this.store).create(fields);
    this.recordLastMutation(log, {});
    return true;
  }

  /** Updates one field of the `pick`th record of the entity this desk holds. */
  update(recipe: EntityRecipe, pick: number, field: string, value: unknown, log: MutationLog): boolean {
    const id = this.nthId(recipe.entity, pick);
    if (!id) return false;
    const before = readEntity(this.store.db, recipe.entity, id);
    recipe.repository(this.store).update(id, { [field]: value });
    this.recordLastMutation(log, { [field]: before?.fieldHlc[field] ?? '' });
    return true;
  }

  private nthId(entity: EntityName, pick: number): string | undefined {
    const table = ENTITY_TABLES[entity].table;
    const ids = this.store.db.prepare<[], { id: string }>(`SELECT id FROM ${table} ORDER BY id`).all();
    return ids.length === 0 ? undefined : ids[pick % ids.length]!.id;
  }

  private recordLastMutation(log: MutationLog, baseHlc: Record<string, string>): void {
    const pending = pendingBatch(this.store.db, 1_000_000);
    const mutation = pending.at(-1);
    if (!mutation || log.made.has(mutation.mutationId)) return; // an update that changed nothing queues nothing
    log.made.set(mutation.mutationId, { tenantId: this.org.tenantId, desk: this.name, deviceId: this.deviceId, mutation, baseHlc });
  }

  /** The server's content for this desk's org, read through its own session. */
  readServer(): Promise<ReplicaContent> {
    return serverContent(this.transport);
  }

  async close(): Promise<void> {
    this.unsubscribe?.();
    await this.engine.stop();
    await this.transport.close();
    this.store.close();
    this.folder.remove();
  }
}
