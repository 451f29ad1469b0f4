import { AsyncLocalStorage } from 'node:async_hooks';
import { AppError } from '../../shared/errors.ts';

/** Answered to a request that waited too long for a move; RATE_LIMITED means "retry shortly". */
export const MOVING_MESSAGE = "This organization's data is being moved to other storage. Please try again in a minute; nothing was lost.";

const DRAIN_MESSAGE = 'The organization has requests still running, so nothing was moved. Try again when it is quieter.';

interface Lease {
  tenantId: string;
  live: boolean;
}

interface Closed {
  opened: Promise<void>;
  open: () => void;
}

/**
 * Per-org gate in front of the org's placed domains, in this process. While a move runs
 * the gate is closed: new work of that org waits (reads too: every read writes an audit
 * entry, and the audit domain moves with the org) and answers RATE_LIMITED after
 * `waitMs`. Closing waits for the org's work in flight to finish, so the copy sees every
 * committed write and no write lands in the source afterwards.
 *
 * Work already inside the gate (a service calling another placed domain of the same org)
 * passes straight through: it is counted as part of the outer call, which the move is
 * waiting for, so making it wait would deadlock.
 */
export class TenantGate {
  private readonly waitMs: number;
  private readonly inFlight = new Map<string, number>();
  private readonly closed = new Map<string, Closed>();
  private readonly drained = new Map<string, () => void>();
  /** The org leases the current async context holds; a lease dies when its call returns. */
  private readonly held = new AsyncLocalStorage<readonly Lease[]>();

  constructor(options: { waitMs: number }) {
    this.waitMs = options.waitMs;
  }

  async run<T>(tenantId: string, fn: () => Promise<T>): Promise<T> {
    const held = this.held.getStore() ?? [];
    // Only while the outer call runs: work it left behind (fire and forget) waits like any other.
    if (held.some((lease) => lease.live && lease.tenantId === tenantId)) return fn();
    // Checked and counted in the same synchronous step, so a move that closes the gate
    // either sees this work in flight or this work sees the gate closed.
    const deadline = Date.now() + this.waitMs;
    for (let closed = this.closed.get(tenantId); closed; closed = this.closed.get(tenantId)) await this.waitFor(closed, deadline);
    this.inFlight.set(tenantId, (this.inFlight.get(tenantId) ?? 0) + 1);
    const lease: Lease = { tenantId, live: true };
    try {
      return await this.held.run([...held, lease], fn);
    } finally {
      lease.live = false;
      const left = (this.inFlight.get(tenantId) ?? 1) - 1;
      if (left > 0) this.inFlight.set(tenantId, left);
      else {
        this.inFlight.delete(tenantId);
        this.drained.get(tenantId)?.();
      }
    }
  }

  /**
   * Closes the org's gate and resolves once its work in flight has finished, with the
   * function that opens it again. If the work does not finish within `drainMs`, the gate
   * opens again and the move is refused (CONFLICT): nothing has been touched yet.
   */
  async close(tenantId: string, drainMs: number): Promise<() => void> {
    if (this.closed.has(tenantId)) throw new Error('gate already closed for this org');
    let open!: () => void;
    const opened = new Promise<void>((resolve) => (open = resolve));
    const entry: Closed = { opened, open };
    this.closed.set(tenantId, entry);
    const release = () => {
      if (this.closed.get(tenantId) === entry) this.closed.delete(tenantId);
      entry.open();
    };
    if ((this.inFlight.get(tenantId) ?? 0) > 0) {
      const drained = await new Promise<boolean>((resolve) => {
        const timer = setTimeout(() => resolve(false), drainMs);
        this.drained.set(tenantId, () => {
          clearTimeout(timer);
          resolve(true);
        });
      }).finally(() => this.drained.delete(tenantId));
      if (!drained) {
        release();
        throw new AppError('CONFLICT', DRAIN_MESSAGE);
      }
    }
    return release;
  }

  private async waitFor(closed: Closed, deadline: number): Promise<void> {
    let timer: ReturnType<typeof setTimeout> | undefined;
    const timedOut = await Promise.race([
      closed.opened.then(() => false),
      new Promise<boolean>((resolve) => (timer = setTimeout(() => resolve(true), Math.max(0, deadline - Date.now())))),
    ]);
    clearTimeout(timer);
    if (timedOut) throw new AppError('RATE_LIMITED', MOVING_MESSAGE);
  }
}
