import { pokeOrgs } from '../../bus/poke-orgs.ts';
import type { ServerCore } from '../../server.ts';
import type { ImportTargets } from './import-run.ts';

/** What an import writes on an opened server core: three domain databases, its clock, and pokes after each batch. */
export function importTargetsOf(core: Pick<ServerCore, 'databases' | 'services'>): ImportTargets {
  const { services, databases } = core;
  return {
    masterData: databases.domains.master_data,
    personnel: databases.domains.personnel,
    scheduling: databases.domains.scheduling,
    clock: services.clock,
    notify: (domain, tenantIds) => pokeOrgs(services.bus, services.log, domain, tenantIds),
  };
}
