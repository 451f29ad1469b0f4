/** Not built yet (issue 6). */
export function EncounterScreen({ encounterId }: { encounterId: string }) {
  return <p className="muted">Not available yet ({encounterId.length > 0 ? 'record' : 'none'}).</p>;
}
