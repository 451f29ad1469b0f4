/**
 * Which practitioner My day shows. Users are not linked to staff records yet, so: the one
 * whose name is the signed-in user's name, else the last choice on this workstation (an id
 * in localStorage, never a name), else the first listed.
 */
const STORAGE_KEY = 'clinicsync.myDay.practitionerId';

export function defaultPractitionerId(
  practitioners: readonly { id: string; displayName: string }[],
  userDisplayName: string,
  remembered: string | null,
): string {
  const byName = practitioners.find((p) => p.displayName.trim().toLowerCase() === userDisplayName.trim().toLowerCase());
  if (byName) return byName.id;
  if (remembered && practitioners.some((p) => p.id === remembered)) return remembered;
  return practitioners[0]?.id ?? '';
}

export function rememberedPractitionerId(): string | null {
  try {
    return window.localStorage.getItem(STORAGE_KEY);
  } catch {
    return null; // storage disabled: fall back to the name or the first
  }
}

export function rememberPractitionerId(id: string): void {
  try {
    window.localStorage.setItem(STORAGE_KEY, id);
  } catch {
    // Not remembering is fine: the choice still applies to this screen.
  }
}
