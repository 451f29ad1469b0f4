/**
 * Where a browser-mode page opens its one WebSocket to the workstation's local API: the
 * host (electron/host/local-api-socket.ts) serves it, the renderer (renderer/src/api/host-link.ts)
 * connects to it. Same origin as the page, so the CSP's connect-src 'self' covers it.
 */
export const LOCAL_API_SOCKET_PATH = '/api/socket';
