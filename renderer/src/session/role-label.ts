/** "front_desk" → "Front desk": roles are shown as words, whatever the server adds later. */
export function roleLabel(role: string): string {
  const words = role.replace(/_/g, ' ').trim();
  return words.charAt(0).toUpperCase() + words.slice(1);
}
