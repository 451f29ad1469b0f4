import fc from 'fast-check';
import type { RelayDirection } from '../../../electron/test-support/tcp-relay.ts';
import { RECIPES } from './entity-recipes.ts';

/**
 * The steps of one property-test run. Desks 0-2 belong to org A, desk 3 to org B. Edits
 * are offline (they only touch the local store); only `sync` and `cutSync` talk to the
 * server, through the desk's relay.
 */
export type Command =
  | { kind: 'create'; desk: number; recipe: number; pick: number }
  | { kind: 'update'; desk: number; recipe: number; pick: number; field: number; value: number }
  | { kind: 'sync'; desk: number }
  | { kind: 'offline'; desk: number }
  | { kind: 'online'; desk: number }
  /** Syncs with a cut armed: the connection dies after `afterBytes` bytes of a request or of an answer. */
  | { kind: 'cutSync'; desk: number; direction: RelayDirection; afterBytes: number }
  | { kind: 'restart' };

export const DESKS = 4;
export const ORG_A_DESKS = [0, 1, 2] as const;

const desk = fc.nat({ max: DESKS - 1 });
const recipe = fc.nat({ max: RECIPES.length - 1 });
const pick = fc.nat({ max: 7 });

export const commandArbitrary: fc.Arbitrary<Command> = fc.oneof(
  { weight: 4, arbitrary: fc.record({ kind: fc.constant('create' as const), desk, recipe, pick }) },
  { weight: 6, arbitrary: fc.record({ kind: fc.constant('update' as const), desk, recipe, pick, field: fc.nat({ max: 9 }), value: fc.nat({ max: 9 }) }) },
  { weight: 4, arbitrary: fc.record({ kind: fc.constant('sync' as const), desk }) },
  { weight: 1, arbitrary: fc.record({ kind: fc.constant('offline' as const), desk }) },
  { weight: 1, arbitrary: fc.record({ kind: fc.constant('online' as const), desk }) },
  {
    weight: 2,
    arbitrary: fc.record({
      kind: fc.constant('cutSync' as const),
      desk,
      direction: fc.constantFrom<RelayDirection>('to_server', 'to_client'),
      // Mid-headers, mid-body of a small request or answer, or past it (the cut then hits a later call).
      afterBytes: fc.oneof(fc.nat({ max: 300 }), fc.integer({ min: 300, max: 3000 })),
    }),
  },
  { weight: 1, arbitrary: fc.constant({ kind: 'restart' as const }) },
);

/** Few commands per run: each run is cheap, so many runs fit (issue 5 asks for at least 100). */
export const commandsArbitrary = fc.array(commandArbitrary, { minLength: 3, maxLength: 12 });

export function describeCommand(command: Command): string {
  const { kind, ...rest } = command;
  return `${kind}(${Object.values(rest).join(',')})`;
}
