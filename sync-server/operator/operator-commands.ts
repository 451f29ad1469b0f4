import { isId } from '../../shared/ids.ts';
import type { z } from 'zod';
import type { ServerCore } from '../server.ts';
import { setTierRequestSchema } from './protocol.ts';
import { setTierAudited } from './set-tier.ts';

interface OperatorCommand<S extends z.ZodType> {
  schema: S;
  run(core: ServerCore, request: z.infer<S>): Promise<unknown>;
}

const command = <S extends z.ZodType>(schema: S, run: (core: ServerCore, request: z.infer<S>) => Promise<unknown>): OperatorCommand<S> => ({ schema, run });

/**
 * What the operator socket runs, by name. A new command is one more entry: its strict
 * schema (protocol.ts) and a function that runs it as audited admin work.
 */
export const OPERATOR_COMMANDS: Record<string, OperatorCommand<z.ZodType>> = {
  'tenant.set-tier': command(setTierRequestSchema, (core, request) =>
    setTierAudited(
      core,
      { tenant: isId(request.tenant) ? { id: request.tenant } : { code: request.tenant }, tier: request.tier, target: request.target ?? {} },
      'operator-socket',
    ),
  ),
};
