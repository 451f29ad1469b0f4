/** HTTP headers of the sync protocol (lower-case, as Node presents them). */
export const TENANT_HEADER = 'x-tenant-id';
export const AUTHORIZATION_HEADER = 'authorization';
export const PROTOCOL_HEADER = 'x-clinicsync-protocol';
