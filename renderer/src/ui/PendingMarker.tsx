/** Text, not colour alone, says the record has not reached the server yet. */
export function PendingMarker() {
  return (
    <span className="pending-marker" title="Saved on this workstation; waiting to sync">
      Pending sync
    </span>
  );
}
