import http from 'node:http';
import tls from 'node:tls';
import { AppError } from '../../shared/errors.ts';
import { routeSyncCallsThroughProxy } from '../sync/transport-dispatcher.ts';
import type { MachinePolicy } from './machine-policy.ts';

/**
 * Applies the policy's network settings to this process, before the workstation makes its
 * first call: every outbound call (sign-in, enrollment, sync over HTTP and the poke
 * WebSocket, wipe reports) goes through Node's built-in fetch and WebSocket, which both use
 * the global undici dispatcher and the default TLS trust. So:
 *
 * - extra CA certificates are added to Node's default trust (the bundled Mozilla roots plus
 *   NODE_EXTRA_CA_CERTS stay trusted): `tls.setDefaultCACertificates`;
 * - the proxy becomes the global dispatcher for fetch and WebSocket, `https://` tunnelled
 *   with CONNECT: `http.setGlobalProxyFromEnv` with the policy's values, not the process
 *   environment's (the policy wins over a user's HTTPS_PROXY); and the sync calls' own
 *   connection pool (electron/sync/transport-dispatcher.ts, not the global dispatcher) gets it too.
 *
 * Returns the undo (tests; the app never undoes it).
 */
export function applyNetworkPolicy(policy: Pick<MachinePolicy, 'proxy' | 'extraCaCertificates'> | null): () => void {
  const undo: (() => void)[] = [];
  if (policy && policy.extraCaCertificates.length > 0) {
    requireFunction(tls.setDefaultCACertificates, 'extra CA certificates');
    const before = tls.getCACertificates('default');
    tls.setDefaultCACertificates([...before, ...policy.extraCaCertificates]);
    undo.push(() => tls.setDefaultCACertificates(before));
  }
  if (policy?.proxy) {
    requireFunction(http.setGlobalProxyFromEnv, 'a proxy');
    const noProxy = policy.proxy.bypass.join(',');
    undo.push(
      http.setGlobalProxyFromEnv({
        HTTP_PROXY: policy.proxy.url,
        HTTPS_PROXY: policy.proxy.url,
        ...(noProxy ? { NO_PROXY: noProxy } : {}),
      }),
    );
    undo.push(routeSyncCallsThroughProxy({ url: policy.proxy.url, noProxy }));
  }
  return () => {
    for (const step of undo.reverse()) step();
  };
}

function requireFunction(fn: unknown, what: string): void {
  if (typeof fn !== 'function') {
    throw new AppError('INTERNAL', `The machine policy sets ${what}, but this build's Node.js (${process.version}) cannot apply it. Update Clinicsync.`);
  }
}

/** The part of Electron's `Session` the proxy needs (typed here: only electron/main/ may import electron). */
export interface ProxySession {
  setProxy(config: { proxyRules: string; proxyBypassRules?: string }): Promise<void>;
}

/**
 * The same proxy for Electron's own network stack (Chromium), which the app's session uses
 * for anything it fetches itself rather than through Node.
 */
export async function applySessionProxy(session: ProxySession, policy: Pick<MachinePolicy, 'proxy'> | null): Promise<void> {
  if (!policy?.proxy) return;
  const url = new URL(policy.proxy.url);
  await session.setProxy({
    proxyRules: `${url.protocol}//${url.host}`,
    ...(policy.proxy.bypass.length > 0 ? { proxyBypassRules: policy.proxy.bypass.join(',') } : {}),
  });
}
