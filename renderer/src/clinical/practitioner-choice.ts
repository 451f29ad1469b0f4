/**
 * Which practitioner My day shows:
 * 1. the one this user picked in this window (kept while they move between screens,
 *    sessionStorage keyed by their user id, so another person's pick never applies);
 * 2. else the one whose staff record is linked to the signed-in user (linkedToYou, from
 *    staff.practitioners): a fresh sign-in opens on the person's own day;
 * 3. else the last one in use on this workstation (an id in localStorage, never a name);
 * 4. else the first listed.
 * A user with no linked record (front desk, an unlinked locum) still gets a sensible day.
 */
const REMEMBERED_KEY = 'clinicsync.myDay.practitionerId';
const pickedKey = (userId: string) => `clinicsync.myDay.picked.${userId}`;

type Listed = readonly { id: string; linkedToYou: boolean }[];

export function defaultPractitionerId(practitioners: Listed, choices: { picked: string | null; remembered: string | null }): string {
  const listed = (id: string | null): id is string => id !== null && practitioners.some((p) => p.id === id);
  if (listed(choices.picked)) return choices.picked;
  const own = practitioners.find((p) => p.linkedToYou);
  if (own) return own.id;
  if (listed(choices.remembered)) return choices.remembered;
  return practitioners[0]?.id ?? '';
}

/**
 * The practitioner an encounter opened from a chart names: the one last in use on My day
 * (remembered), else the user's own linked one, else none (the encounter names nobody).
 */
export function practitionerInUse(practitioners: Listed, remembered: string | null): string | null {
  if (remembered && practitioners.some((p) => p.id === remembered)) return remembered;
  return practitioners.find((p) => p.linkedToYou)?.id ?? null;
}

/** Storage may be disabled: then nothing is kept, and the choice applies to this screen only. */
function read(storage: () => Storage, key: string): string | null {
  try {
    return storage().getItem(key);
  } catch {
    return null;
  }
}

function write(storage: () => Storage, key: string, id: string): void {
  try {
    storage().setItem(key, id);
  } catch {
    // Not keeping it is fine (see read).
  }
}

export const rememberedPractitionerId = (): string | null => read(() => window.localStorage, REMEMBERED_KEY);
export const rememberPractitionerId = (id: string): void => write(() => window.localStorage, REMEMBERED_KEY, id);
export const pickedPractitionerId = (userId: string): string | null => (userId ? read(() => window.sessionStorage, pickedKey(userId)) : null);
export const pickPractitionerId = (userId: string, id: string): void => {
  if (userId) write(() => window.sessionStorage, pickedKey(userId), id);
};
