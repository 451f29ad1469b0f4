/**
 * Which local API calls a locked session still answers, and which calls are not a person
 * at the desk. Kept here, beside the lock, so the router stays a plain list of procedures.
 */

/** Everything else answers STORE_LOCKED while the screen is locked. */
export const ALLOWED_WHILE_LOCKED: ReadonlySet<string> = new Set(['session.status', 'session.unlock', 'session.signOut']);

/**
 * Background polls the renderer makes on its own (the sync badge asks every second): they
 * must not count as activity, or the idle lock would never come.
 */
export const NOT_ACTIVITY: ReadonlySet<string> = new Set(['session.status', 'sync.status']);
