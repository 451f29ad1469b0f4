import type { CreateHTTPContextOptions } from '@trpc/server/adapters/standalone';
import type { CreateWSSContextFnOptions } from '@trpc/server/adapters/ws';
import { AUTHORIZATION_HEADER, TENANT_HEADER } from '../../shared/headers.ts';
import { bearerToken } from '../auth/session-token.ts';
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
  /** The TCP peer's address (never X-Forwarded-For: no proxy is trusted); the sign-in throttle counts by it. */
  remoteAddress: string | null;
}

function header(value: string | string[] | undefined): string | null {
  return typeof value === 'string' && value.length > 0 ? value : null;
}

/** HTTP: the org from `x-tenant-id`, the session from `Authorization: Bearer`. */
export function httpContext(services: Services, observability: Observability) {
  return ({ req }: CreateHTTPContextOptions): RequestContext => ({
    services,
    observed: observability.httpRequest(req),
    remoteAddress: req.socket.remoteAddress ?? null,
    credentials: {
      tenantId: header(req.headers[TENANT_HEADER]),
      token: bearerToken(header(req.headers[AUTHORIZATION_HEADER]) ?? undefined),
    },
  });
}

/** WebSocket: browsers cannot set headers on a socket, so the same two travel as connectionParams. */
export function wsContext(services: Services, observability: Observability) {
  return ({ req, info }: CreateWSSContextFnOptions): RequestContext => {
    const params = info.connectionParams ?? {};
    return {
      services,
      observed: observability.webSocket(req),
      remoteAddress: req.socket.remoteAddress ?? null,
      credentials: {
        tenantId: typeof params.tenantId === 'string' && params.tenantId ? params.tenantId : null,
        token: typeof params.token === 'string' && params.token ? params.token : null,
      },
    };
  };
}
