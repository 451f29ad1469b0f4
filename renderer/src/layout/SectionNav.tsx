import type { Section } from './use-section.ts';

const LINKS: readonly { section: Section; label: string }[] = [
  { section: 'patients', label: 'Patients' },
  { section: 'appointments', label: 'Appointments' },
  { section: 'sync', label: 'Sync' },
];

export function SectionNav({ current }: { current: Section }) {
  return (
    <nav className="section-nav" aria-label="Sections">
      <ul>
        {LINKS.map(({ section, label }) => (
          <li key={section}>
            <a href={`#/${section}`} aria-current={section === current ? 'page' : undefined}>
              {label}
            </a>
          </li>
        ))}
      </ul>
    </nav>
  );
}
