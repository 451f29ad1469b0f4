import { HybridClock } from '../shared/hlc.ts';
import { PROTOCOL_VERSION } from '../shared/sync/version.ts';
import type { SyncedDomain } from '../shared/domains.ts';
import type { PokeBus } from './bus/poke-bus.ts';
import { pokeOrgs } from './bus/poke-orgs.ts';
import type { DatabaseSet } from './db/domain-db.ts';
import type { AuditLog } from './audit/audit-trail.ts';
import { AuditEvents } from './domains/audit/audit-events.ts';
import { createAutomationStores, type AutomationStores } from './domains/process_automation/stores.ts';
import { PatientService } from './domains/master_data/patients.ts';
import { createPatientRegistry, type PatientRegistry } from './domains/master_data/patient-registry.ts';
import { PersonnelService } from './domains/personnel/staff.ts';
import { LicenceService } from './domains/personnel/licences.ts';
import { ClinicalSyncService } from './domains/clinical/clinical-sync.ts';
import { EncounterService } from './domains/clinical/encounters.ts';
import { NoteService } from './domains/clinical/notes.ts';
import { OrderService } from './domains/clinical/orders.ts';
import { AgentConfigService } from './domains/configuration/agent-config.ts';
import { PayerContractService } from './domains/configuration/payer-contracts.ts';
import { PracticeProfileService } from './domains/configuration/practice-profile.ts';
import { createSchedulingDesk, type SchedulingDesk } from './domains/scheduling/scheduling-desk.ts';
import { AppointmentService } from './domains/scheduling/appointments.ts';
import { AccountDirectory } from './domains/tenant_info/accounts.ts';
import { BreakGlassLog } from './domains/tenant_info/break-glass.ts';
import { DeviceRegistry } from './domains/tenant_info/devices.ts';
import { EnrollmentTokens } from './domains/tenant_info/enrollment-tokens.ts';
import { IsolationTiers } from './domains/tenant_info/isolation-tiers.ts';
import { SessionStore } from './domains/tenant_info/sessions.ts';
import { TenantDirectory } from './domains/tenant_info/tenants.ts';
import { WipeReports } from './domains/tenant_info/wipe-reports.ts';
import type { Logger } from './log.ts';
import type { SyncDomainService } from './sync/outcome.ts';
import { readOnlySyncDomain } from './sync/online-only.ts';
import { readConfigurationChanges } from './domains/configuration/configuration-feed.ts';
import { readStaffChanges } from './domains/personnel/staff-feed.ts';
import type { KeyWrapper } from './vault/key-wrapper.ts';
import { createVault, type Vault } from './vault/vault.ts';
import { createTenantExports, type TenantExports } from './portability/export/export-service.ts';
import { DEFAULT_LIMITS, type LimitOptions } from './limits/limit-options.ts';
import { createRequestLimits, type RequestLimits } from './limits/request-limits.ts';
import { SignInThrottle } from './auth/sign-in-throttle.ts';
import { SignInLocks } from './auth/sign-in-locks.ts';
import { DEFAULT_SIGN_IN_THROTTLE, type SignInThrottleOptions } from './auth/sign-in-throttle-options.ts';

/** Every domain service, each handed its own DomainDb once, wired at start-up. */
export interface Services {
  tenants: TenantDirectory;
  accounts: AccountDirectory;
  sessions: SessionStore;
  devices: DeviceRegistry;
  enrollmentTokens: EnrollmentTokens;
  /** devices.reportWipe: workstations' reports that they deleted an org's copy (proof checked). */
  wipeReports: WipeReports;
  /** devices.uploadBreakGlass: emergency unlocks made on workstations (the reason stays in the table). */
  breakGlass: BreakGlassLog;
  /** Sets an org's isolation tier and moves its people between sign-in namespaces (placement calls it for 'dedicated'). */
  isolationTiers: IsolationTiers;
  audit: AuditLog;
  patients: PatientService;
  appointments: AppointmentService;
  /** patients.* procedures: the org's patients, identifiers, strong-evidence linking. */
  patientRegistry: PatientRegistry;
  /** scheduling.* procedures: locations, practitioner schedules, desk appointment work. */
  scheduling: SchedulingDesk;
  /** personnel.* procedures: staff and practitioners (practitionerExists for other domains), licences. */
  personnel: PersonnelService;
  licences: LicenceService;
  /** clinical.* procedures: encounters, notes (draft → signed → amended), orders (state machine). */
  encounters: EncounterService;
  notes: NoteService;
  orders: OrderService;
  /** configuration.* procedures: practice profile, payer contracts, agent configuration. */
  practiceProfiles: PracticeProfileService;
  payerContracts: PayerContractService;
  agentConfigs: AgentConfigService;
  /** vault.* procedures: the org's integration credentials under envelope encryption (sync-server/vault/). */
  vault: Vault;
  /** exports.* procedures: the org's data export, written server-side and fetched in chunks (sync-server/portability/export/). */
  exports: TenantExports;
  /** Jobs, workflow runs, the event outbox and the processed-event ledger. */
  automation: AutomationStores;
  syncDomains: Record<SyncedDomain, SyncDomainService>;
  bus: PokeBus;
  clock: HybridClock;
  log: Logger;
  /** Back-pressure at request entry (sync-server/limits/); null when turned off. Per process. */
  limits: RequestLimits | null;
  /** Failed sign-ins per account and per address (sync-server/auth/sign-in-throttle.ts); null when turned off. Shared by all processes. */
  signInThrottle: SignInThrottle | null;
  /** admin.users.unlock: ends an account's lock after too many failed sign-ins in a row (works with the throttle off too). */
  signInLocks: SignInLocks;
  /** The sync protocol this server speaks (PROTOCOL_VERSION; tests inject a neighbour's). */
  protocolVersion: number;
}

export function createServices(
  databases: DatabaseSet,
  bus: PokeBus,
  log: Logger,
  protocolVersion: number = PROTOCOL_VERSION,
  vaultKeys: KeyWrapper | null = null,
  limits: LimitOptions | false = DEFAULT_LIMITS,
  signInThrottle: SignInThrottleOptions | false = DEFAULT_SIGN_IN_THROTTLE,
): Services {
  const { domains } = databases;
  const patients = new PatientService(domains.master_data);
  const appointments = new AppointmentService(domains.scheduling, (tenantId, ids) => patients.linkedIds(tenantId, ids));
  const clock = new HybridClock('server');
  const audit = new AuditEvents(domains.audit);
  const pokeAfterCommit = (domain: SyncedDomain) => (tenantIds: readonly string[]) => pokeOrgs(bus, log, domain, tenantIds);
  // Scheduling asks personnel (its own database) whether a practitioner is the org's (a service call, never a cross-database query).
  const accounts = new AccountDirectory(domains.tenant_info);
  // Personnel asks tenant_info whether an account it links to a staff record is a member of the org.
  const personnel = new PersonnelService(domains.personnel, pokeAfterCommit('personnel'), {
    isMember: async (tenantId, userId) => (await accounts.member(tenantId, userId)) !== null,
  });
  const scheduling = createSchedulingDesk(domains.scheduling, {
    linkedPatients: (tenantId, ids) => patients.linkedIds(tenantId, ids),
    practitionerExists: (tenantId, id) => personnel.practitionerExists(tenantId, id),
    clock,
    notify: pokeAfterCommit('scheduling'),
  });
  // Clinical asks master_data, personnel and scheduling about the ids it is handed (their own databases).
  const clinicalRefs = {
    linkedPatients: (tenantId: string, ids: readonly string[]) => patients.linkedIds(tenantId, ids),
    practitionerExists: (tenantId: string, id: string) => personnel.practitionerExists(tenantId, id),
    appointment: (tenantId: string, id: string) => scheduling.appointments.get(tenantId, id),
  };
  // Desk changes of clinical records move the clinical feed too, so workstations hear of them.
  const clinicalDesk = { clock, notify: pokeAfterCommit('clinical') };
  return {
    tenants: new TenantDirectory(domains.tenant_info),
    accounts,
    sessions: new SessionStore(domains.tenant_info),
    devices: new DeviceRegistry(domains.tenant_info),
    enrollmentTokens: new EnrollmentTokens(domains.tenant_info),
    wipeReports: new WipeReports(domains.tenant_info),
    breakGlass: new BreakGlassLog(domains.tenant_info),
    isolationTiers: new IsolationTiers(domains.tenant_info, log),
    audit,
    patients,
    appointments,
    patientRegistry: createPatientRegistry(domains.master_data, { clock, notify: pokeAfterCommit('master_data'), log }),
    scheduling,
    personnel,
    licences: new LicenceService(domains.personnel),
    encounters: new EncounterService(domains.clinical, clinicalRefs, clinicalDesk),
    notes: new NoteService(domains.clinical, clinicalRefs, clinicalDesk),
    orders: new OrderService(domains.clinical, clinicalRefs, clinicalDesk),
    practiceProfiles: new PracticeProfileService(domains.configuration, pokeAfterCommit('configuration')),
    payerContracts: new PayerContractService(domains.configuration, pokeAfterCommit('configuration')),
    agentConfigs: new AgentConfigService(domains.configuration, pokeAfterCommit('configuration')),
    vault: createVault(domains.configuration, vaultKeys, log),
    exports: createTenantExports(databases),
    automation: createAutomationStores(domains.process_automation),
    syncDomains: {
      // Set-up domains only serve their feeds: admins change them online (sync/online-only.ts).
      configuration: readOnlySyncDomain('configuration', domains.configuration, readConfigurationChanges),
      personnel: readOnlySyncDomain('personnel', domains.personnel, readStaffChanges),
      master_data: patients,
      scheduling: appointments,
      clinical: new ClinicalSyncService(domains.clinical, clinicalRefs, clock),
    },
    bus,
    clock,
    log,
    // Calls refused before request entry are audited in aggregate through the same audit log.
    limits: createRequestLimits(limits, log, audit),
    signInThrottle: signInThrottle === false ? null : new SignInThrottle(domains.tenant_info, signInThrottle, log),
    signInLocks: new SignInLocks(domains.tenant_info),
    protocolVersion,
  };
}
