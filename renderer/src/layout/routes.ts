import { roleCan, type Capability } from '../../../shared/auth/capabilities.ts';
import type { Role } from '../../../shared/sync/auth.ts';

/**
 * The workstation's screens and who may see each (the same capability table the server and
 * the local API enforce; hiding a screen is for calm, the refusal is in the API).
 * Hash routes: `#/schedule`, `#/patients`, `#/my-day`, `#/sync`, `#/chart/<patientId>`,
 * `#/encounter/<encounterId>`. They work the same from app:// in Electron and from the
 * browser-mode host, and carry ids only (never a name, so no PHI in history or logs).
 */
export type Section = 'schedule' | 'patients' | 'my-day' | 'chart' | 'encounter' | 'sync';

export interface Route {
  section: Section;
  /** The patient (chart) or encounter (encounter) id. */
  id?: string | undefined;
}

interface SectionSpec {
  label: string;
  needs: Capability;
  /** Shown in the navigation; screens reached from another screen (a chart) are not. */
  inNav: boolean;
}

export const SECTIONS: Record<Section, SectionSpec> = {
  schedule: { label: 'Schedule', needs: 'schedule.read', inNav: true },
  patients: { label: 'Patients', needs: 'patients.read', inNav: true },
  'my-day': { label: 'My day', needs: 'notes.read', inNav: true },
  chart: { label: 'Chart', needs: 'encounters.read', inNav: false },
  encounter: { label: 'Encounter', needs: 'encounters.read', inNav: false },
  sync: { label: 'Sync', needs: 'sync.exchange', inNav: true },
};

const ORDER: readonly Section[] = ['schedule', 'my-day', 'patients', 'chart', 'encounter', 'sync'];
const WITH_ID: ReadonlySet<Section> = new Set(['chart', 'encounter']);

export function can(role: Role, capability: Capability): boolean {
  return roleCan(role, capability);
}

export function allowedSections(role: Role): Section[] {
  return ORDER.filter((section) => can(role, SECTIONS[section].needs));
}

/** Where a person lands after sign-in: the clinician's day, the desk's schedule, else the first screen allowed. */
export function homeSection(role: Role): Section {
  const allowed = allowedSections(role);
  if (allowed.includes('my-day')) return 'my-day';
  if (allowed.includes('schedule')) return 'schedule';
  return allowed[0] ?? 'sync';
}

export function hrefOf(route: Route): string {
  return route.id ? `#/${route.section}/${encodeURIComponent(route.id)}` : `#/${route.section}`;
}

/** Reads a hash; anything unknown, not allowed for the role, or missing its id goes home. */
export function parseRoute(hash: string, role: Role): Route {
  const [name = '', rawId] = hash.replace(/^#\/?/, '').split('/', 2);
  const section = ORDER.find((candidate) => candidate === name);
  if (!section || !can(role, SECTIONS[section].needs)) return { section: homeSection(role) };
  if (WITH_ID.has(section)) {
    const id = rawId ? decodeURIComponent(rawId) : '';
    return id ? { section, id } : { section: homeSection(role) };
  }
  return { section };
}
