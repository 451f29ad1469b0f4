import { createTRPCUntypedClient, TRPCClientError } from '@trpc/client';
import type { AnyRouter } from '@trpc/server';
import { describe, expect, it } from 'vitest';
import { readAppError } from './errors.ts';
import { ipcLink } from './ipc-link.ts';
import type { ClinicsyncBridge, IpcRequest, IpcResponse } from './ipc-types.ts';

function clientWith(answer: (request: IpcRequest) => Promise<IpcResponse>) {
  const seen: IpcRequest[] = [];
  const bridge: ClinicsyncBridge = {
    invoke: (request) => {
      seen.push(request);
      return answer(request);
    },
  };
  return { client: createTRPCUntypedClient<AnyRouter>({ links: [ipcLink<AnyRouter>(bridge)] }), seen };
}

describe('ipcLink', () => {
  it('sends path, type and input over the bridge and resolves with the data', async () => {
    const { client, seen } = clientWith(async () => ({ ok: true, data: [{ id: 'p1' }] }));
    await expect(client.query('patients.list', { search: 'ada' })).resolves.toEqual([{ id: 'p1' }]);
    expect(seen).toEqual([{ path: 'patients.list', type: 'query', input: { search: 'ada' } }]);
  });

  it('turns an error answer into a TRPCClientError carrying the app code and message', async () => {
    const { client } = clientWith(async () => ({ ok: false, error: { appCode: 'INVALID_CREDENTIALS', message: 'Wrong sign-in details.' } }));
    const error = await client.mutation('session.signIn', { org: 'x', username: 'y', password: 'z' }).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(TRPCClientError);
    expect(readAppError(error)).toMatchObject({ code: 'INVALID_CREDENTIALS', message: 'Wrong sign-in details.' });
  });

  it('reports a bridge failure as a transport error without an app code', async () => {
    const { client } = clientWith(async () => {
      throw new Error('channel closed');
    });
    const error = await client.query('sync.status', undefined).catch((e: unknown) => e);
    expect(readAppError(error).code).toBeNull();
  });
});
