import type { CreateHTTPContextOptions } from '@trpc/server/adapters/standalone';
import type { CreateWSSContextFnOptions } from '@trpc/server/adapters/ws';
import { AUTHORIZATION_HEADER, TENANT_HEADER } from '../../shared/headers.ts';
import { clientAddress, FORWARDED_FOR_HEADER } from '../auth/forwarded-for.ts';
import { bearerToken } from '../auth/session-token.ts';
import type { TrustedProxies } from '../auth/trusted-proxies.ts';
import type { Observability, ObservedConnection } from '../observability/observability.ts';
import type { Services } from '../services.ts';

/** What a caller presented, unchecked. Request entry (request-entry.ts) judges it. */
export interface Credentials {
  tenantId: string | null;
  token: string | null;
}

export interface RequestContext {
  services: Services;
  credentials: Credentials;
  /** The request id(s) and metrics of this HTTP request or WebSocket connection (observability/). */
  observed: ObservedConnection;
  /**
   * The caller's address: the TCP peer, or behind a trusted proxy the right-most untrusted
   * X-Forwarded-For entry (auth/forwarded-for.ts). The sign-in throttle counts by it; never logged.
   */
  remoteAddress: string | null;
}

function header(value: string | string[] | undefined): string | null {
  return typeof value === 'string' && value.length > 0 ? value : null;
}

/** HTTP: the org from `x-tenant-id`, the session from `Authorization: Bearer`. */
export function httpContext(services: Services, observability: Observability, proxies: TrustedProxies | null) {
  return ({ req }: CreateHTTPContextOptions): RequestContext => ({
    services,
    observed: observability.httpRequest(req),
    remoteAddress: clientAddress(req.socket.remoteAddress, req.headers[FORWARDED_FOR_HEADER], proxies),
    credentials: {
      tenantId: header(req.headers[TENANT_HEADER]),
      token: bearerToken(header(req.headers[AUTHORIZATION_HEADER]) ?? undefined),
    },
  });
}

/** WebSocket: browsers cannot set headers on a socket, so the same two travel as connectionParams. */
export function wsContext(services: Services, observability: Observability, proxies: TrustedProxies | null) {
  return ({ req, info }: CreateWSSContextFnOptions): RequestContext => {
    const params = info.connectionParams ?? {};
    return {
      services,
      observed: observability.webSocket(req),
      remoteAddress: clientAddress(req.socket.remoteAddress, req.headers[FORWARDED_FOR_HEADER], proxies),
      credentials: {
        tenantId: typeof params.tenantId === 'string' && params.tenantId ? params.tenantId : null,
        token: typeof params.token === 'string' && params.token ? params.token : null,
      },
    };
  };
}
