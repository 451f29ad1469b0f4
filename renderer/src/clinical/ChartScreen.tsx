/** Not built yet (issue 6). */
export function ChartScreen({ patientId }: { patientId: string }) {
  return <p className="muted">Not available yet ({patientId.length > 0 ? 'record' : 'none'}).</p>;
}
