import { expect } from 'vitest';
import { randomBytes } from 'node:crypto';
import type { TcpRelay } from '../../../electron/test-support/tcp-relay.ts';
import { createOrg } from '../../../sync-server/testing/harness.ts';
import { DESKS, ORG_A_DESKS, describeCommand, type Command } from './commands.ts';
import { Desk, MutationLog, type OrgAccount } from './desk.ts';
import { RECIPES } from './entity-recipes.ts';
import { expectConflictsLogged, expectDisjoint, expectLastWriterWins, expectLedger, expectSameContent, expectSettled } from './invariants.ts';
import type { RestartableServer } from './restartable-server.ts';

/** What the runs exercised, printed at the end so a green run shows it tested something. */
export const coverage = { runs: 0, cutsFired: 0, cutsToClient: 0, restarts: 0, mutations: 0, lostValues: 0, conflictsLogged: 0, socketSubscriptions: 0 };

/** Bounds healing: each round every desk syncs once; a converging system is quiet within a few. */
const MAX_HEAL_ROUNDS = 6;

async function newOrg(server: RestartableServer, label: string): Promise<OrgAccount> {
  const code = `cv-${label}-${randomBytes(4).toString('hex')}`;
  const org = await createOrg(server.handle, code);
  return { label, code, ...org };
}

async function execute(command: Command, desks: readonly Desk[], log: MutationLog, server: RestartableServer): Promise<void> {
  switch (command.kind) {
    case 'create':
      desks[command.desk]!.create(RECIPES[command.recipe]!, command.pick, log);
      return;
    case 'update': {
      const recipe = RECIPES[command.recipe]!;
      const fields = Object.keys(recipe.patchable);
      const field = fields[command.field % fields.length]!;
      const pool = recipe.patchable[field]!;
      desks[command.desk]!.update(recipe, command.pick, field, pool[command.value % pool.length], log);
      return;
    }
    case 'sync':
      await desks[command.desk]!.sync();
      return;
    case 'offline':
      desks[command.desk]!.relay.down();
      return;
    case 'online':
      desks[command.desk]!.relay.up();
      return;
    case 'cutSync': {
      const desk = desks[command.desk]!;
      const cut = desk.relay.cut(command.direction, command.afterBytes);
      await desk.sync();
      if (cut.fired()) {
        coverage.cutsFired += 1;
        if (command.direction === 'to_client') coverage.cutsToClient += 1;
      }
      cut.cancel();
      return;
    }
    case 'restart':
      coverage.restarts += 1;
      await server.restart();
      return;
  }
}

/** Everyone back online, syncing round after round until no desk has anything left to send, then once more. */
async function heal(desks: readonly Desk[]): Promise<void> {
  for (const desk of desks) desk.relay.up();
  let outcomes: string[] = [];
  for (let round = 0; round < MAX_HEAL_ROUNDS; round++) {
    outcomes = [];
    for (const desk of desks) outcomes.push(await desk.sync());
    if (outcomes.every((o) => o === 'ok') && desks.every((desk) => desk.store.pendingCount() === 0)) {
      for (const desk of desks) expect(await desk.sync()).toBe('ok');
      return;
    }
  }
  const errors = desks.map((desk) => `${desk.name}: ${JSON.stringify(desk.engine.status().lastError)}`);
  expect.fail(`not quiet after ${MAX_HEAL_ROUNDS} rounds of syncing (${outcomes.join(', ')}; ${errors.join('; ')})`);
}

/**
 * Each org starts with one record of every recipe that every one of its desks holds, so
 * the random edits that follow often touch the same field of the same record on several
 * desks at once (the conflicts worth testing) instead of only records one desk made.
 */
async function shareBaseline(desks: readonly Desk[], log: MutationLog): Promise<void> {
  const firsts = new Map<string, Desk>();
  for (const desk of desks) if (!firsts.has(desk.org.tenantId)) firsts.set(desk.org.tenantId, desk);
  for (const first of firsts.values()) {
    for (const recipe of RECIPES) first.create(recipe, 0, log);
    expect(await first.sync()).toBe('ok');
  }
  for (const desk of desks) if (![...firsts.values()].includes(desk)) expect(await desk.sync()).toBe('ok');
}

/**
 * One property-test case: fresh orgs A and B, three desks of A and one of B, the commands,
 * healing, then every invariant of issue 5's "proven under faults".
 */
export async function runCase(server: RestartableServer, relays: readonly TcpRelay[], commands: readonly Command[]): Promise<void> {
  const log = new MutationLog();
  const orgA = await newOrg(server, 'a');
  const orgB = await newOrg(server, 'b');
  const desks: Desk[] = [];
  try {
    for (let i = 0; i < DESKS; i++) {
      const org = (ORG_A_DESKS as readonly number[]).includes(i) ? orgA : orgB;
      // Odd desks (one of A's, B's one) sync over their poke socket, the others over HTTP.
      desks.push(await Desk.open(`${org.label}${i}`, org, server.handle.url, relays[i]!, log, { listens: i % 2 === 1 }));
    }
    await shareBaseline(desks, log);
    for (const command of commands) {
      try {
        await execute(command, desks, log, server);
      } catch (error) {
        throw new Error(`command ${describeCommand(command)} failed: ${(error as Error).message}`, { cause: error });
      }
    }
    await heal(desks);

    const desksOfA = desks.filter((desk) => desk.org === orgA);
    const desksOfB = desks.filter((desk) => desk.org === orgB);
    expectSettled(desks, log);
    const serverA = await desksOfA[0]!.readServer();
    const serverB = await desksOfB[0]!.readServer();
    expectSameContent(desksOfA, serverA);
    expectSameContent(desksOfB, serverB);
    expectDisjoint(serverA, serverB);
    const made = [...log.made.values()];
    coverage.runs += 1;
    coverage.mutations += made.length;
    for (const [org, content] of [[orgA, serverA], [orgB, serverB]] as const) {
      const ofOrg = made.filter((m) => m.tenantId === org.tenantId);
      expectLastWriterWins(ofOrg, content);
      await expectLedger(server.handle, org.tenantId, ofOrg);
      const counted = expectConflictsLogged(ofOrg, org === orgA ? desksOfA : desksOfB);
      coverage.lostValues += counted.lost;
      coverage.conflictsLogged += counted.logged;
    }
  } finally {
    for (const desk of desks) {
      coverage.socketSubscriptions += desk.subscriptions;
      await desk.close();
    }
    for (const relay of relays) relay.up();
  }
}
