/** timestamptz as ISO-8601 text in UTC: pg and PGlite both hand back Date objects; NULL stays null. */
export function isoTime(value: unknown): string {
  return new Date(value as string | Date).toISOString();
}

export function isoTimeOrNull(value: unknown): string | null {
  return value === null || value === undefined ? null : isoTime(value);
}
