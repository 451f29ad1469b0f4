/** Not built yet (issue 6). */
export function MyDayScreen() {
  return <p className="muted">Not available yet.</p>;
}
