/** A screen's heading with its one primary action, which opens or closes a form. */
export function ScreenHead({ headingId, title, actionLabel, expanded, onToggle }: {
  headingId: string;
  title: string;
  actionLabel: string;
  expanded: boolean;
  onToggle: () => void;
}) {
  return (
    <div className="screen-head">
      <h1 id={headingId}>{title}</h1>
      <button type="button" className="primary" aria-expanded={expanded} onClick={onToggle}>
        {actionLabel}
      </button>
    </div>
  );
}
