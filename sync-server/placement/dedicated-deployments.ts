import { rmSync } from 'node:fs';
import type { DatabaseOptions } from '../db/open-databases.ts';
import type { PhysicalDatabases } from '../db/domain-db.ts';
import { openPgliteDatabases } from '../db/pglite-driver.ts';
import { dropPostgresDatabases } from '../db/postgres-admin.ts';
import { openPostgresDatabases } from '../db/postgres-driver.ts';
import type { Domain } from '../../shared/domains.ts';
import { PLACED_DOMAINS } from './placed-domains.ts';
import { targetKey, type DedicatedTarget } from './placement-target.ts';

/**
 * Orgs' dedicated databases, opened lazily on first use (created and migrated with the
 * same migrations, roles and grants as the shared ones, so RLS and the app role's limits
 * hold inside them too) and closed with the server. They hold the placed domains only.
 */
export class DedicatedDeployments {
  private readonly shared: DatabaseOptions;
  private readonly onSystemAccess: (domain: Domain, reason: string) => void;
  private readonly checkOpened: (databases: PhysicalDatabases, target: DedicatedTarget) => Promise<void>;
  private readonly open_ = new Map<string, Promise<PhysicalDatabases>>();

  /**
   * `checkOpened`: run on a deployment once opened, before any use; if it throws, the
   * deployment is closed and the open fails (the server's logging posture check).
   */
  constructor(
    shared: DatabaseOptions,
    onSystemAccess: (domain: Domain, reason: string) => void,
    checkOpened: (databases: PhysicalDatabases, target: DedicatedTarget) => Promise<void>,
  ) {
    this.shared = shared;
    this.onSystemAccess = onSystemAccess;
    this.checkOpened = checkOpened;
  }

  open(target: DedicatedTarget): Promise<PhysicalDatabases> {
    const key = targetKey(target);
    let opening = this.open_.get(key);
    if (!opening) {
      opening = this.connect(target).then(async (databases) => {
        try {
          await this.checkOpened(databases, target);
          return databases;
        } catch (error) {
          await databases.close().catch(() => undefined);
          throw error;
        }
      });
      this.open_.set(key, opening);
      // A failed open is not remembered: the next use tries again.
      opening.catch(() => this.open_.delete(key));
    }
    return opening;
  }

  async close(target: DedicatedTarget): Promise<void> {
    const key = targetKey(target);
    const opening = this.open_.get(key);
    this.open_.delete(key);
    await opening?.then((dbs) => dbs.close(), () => undefined);
  }

  /** Closes and deletes a dedicated deployment (only ever one that belongs to a single org). */
  async destroy(target: DedicatedTarget): Promise<void> {
    await this.close(target);
    if (target.engine === 'postgres') {
      if (this.shared.kind !== 'postgres') throw new Error('a PostgreSQL target on a PGlite server');
      await dropPostgresDatabases(target.serverUrl ?? this.shared.adminUrl, target.databasePrefix);
    } else if (target.folder !== null) {
      rmSync(target.folder, { recursive: true, force: true });
    }
  }

  async closeAll(): Promise<void> {
    const all = [...this.open_.values()];
    this.open_.clear();
    await Promise.all(all.map((opening) => opening.then((dbs) => dbs.close(), () => undefined)));
  }

  private async connect(target: DedicatedTarget): Promise<PhysicalDatabases> {
    const domains = PLACED_DOMAINS;
    if (target.engine === 'postgres') {
      if (this.shared.kind !== 'postgres') throw new Error('a PostgreSQL target on a PGlite server');
      // Straight to the server, not through the shared pooler (which knows only the shared databases).
      return openPostgresDatabases({
        adminUrl: target.serverUrl ?? this.shared.adminUrl,
        databasePrefix: target.databasePrefix,
        ...(this.shared.poolSize !== undefined ? { poolSize: this.shared.poolSize } : {}),
        ...(this.shared.systemPoolSize !== undefined ? { systemPoolSize: this.shared.systemPoolSize } : {}),
        domains,
        onSystemAccess: this.onSystemAccess,
      });
    }
    if (this.shared.kind !== 'pglite') throw new Error('a PGlite target on a PostgreSQL server');
    return openPgliteDatabases({
      domains,
      onSystemAccess: this.onSystemAccess,
      ...(target.folder !== null ? { dataDir: target.folder } : this.shared.loadDataDir ? { loadDataDir: this.shared.loadDataDir } : {}),
    });
  }
}
