import { AppError } from '../../shared/errors.ts';
import { errorCodeOf, type Logger } from '../log.ts';
import type { ServerCore } from '../server.ts';
import { OPERATOR_COMMANDS } from './operator-commands.ts';
import { requestEnvelopeSchema, type OperatorResponse } from './protocol.ts';

const KNOWN = Object.keys(OPERATOR_COMMANDS).join(', ');

/**
 * Answers one request line. Every failure is an AppError code and a sentence; anything
 * else (a database error) becomes INTERNAL with no detail, its code logged on this side.
 */
export interface OperatorContext {
  core: ServerCore;
  /** This server's deploymentKey(). */
  deployment: string;
}

export async function answerOperatorRequest(context: OperatorContext, line: string, log: Logger): Promise<OperatorResponse> {
  let command = 'unknown';
  try {
    let raw: unknown;
    try {
      raw = JSON.parse(line);
    } catch {
      throw new AppError('VALIDATION', 'The request is not valid JSON: send one JSON object on one line.');
    }
    const envelope = requestEnvelopeSchema.safeParse(raw);
    if (!envelope.success) throw new AppError('VALIDATION', `The request must be a JSON object with a "command" (one of ${KNOWN}) and a "deployment".`);
    const { deployment, ...fields } = envelope.data;
    const handler = Object.hasOwn(OPERATOR_COMMANDS, envelope.data.command) ? OPERATOR_COMMANDS[envelope.data.command] : undefined;
    if (!handler) {
      // Quoted back only when it looks like a command name (it is the operator's own input, but stays tidy in logs).
      const shown = /^[a-z][a-z.-]{0,40}$/.test(envelope.data.command) ? ` "${envelope.data.command}"` : '';
      throw new AppError('VALIDATION', `Unknown command${shown}; the operator socket knows ${KNOWN}.`);
    }
    command = envelope.data.command;
    if (deployment !== context.deployment) {
      throw new AppError('CONFLICT', 'The server on this operator socket serves another deployment than the one named; check --data-dir, --database-url and --operator-socket.');
    }
    const parsed = handler.schema.safeParse(fields);
    if (!parsed.success) {
      const issue = parsed.error.issues[0];
      const where = issue && issue.path.length > 0 ? `"${issue.path.join('.')}"` : 'the request';
      throw new AppError('VALIDATION', `Invalid ${command} request: ${where} ${issue?.message ?? 'is not valid'}.`);
    }
    const result = await handler.run(context.core, parsed.data);
    log({ level: 'info', event: 'operator_command', command, outcome: 'ok' });
    return { ok: true, result };
  } catch (error) {
    if (error instanceof AppError) {
      log({ level: 'warn', event: 'operator_command', command, outcome: 'refused', code: error.code });
      return { ok: false, code: error.code, message: error.message };
    }
    log({ level: 'error', event: 'operator_command', command, outcome: 'error', code: errorCodeOf(error) });
    return { ok: false, code: 'INTERNAL', message: 'The server could not finish the command; its log has the error code.' };
  }
}
