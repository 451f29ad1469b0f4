import type { Role } from '../../../shared/sync/auth.ts';
import { allowedSections, hrefOf, SECTIONS, type Section } from './routes.ts';

export function SectionNav({ current, role }: { current: Section; role: Role }) {
  const links = allowedSections(role).filter((section) => SECTIONS[section].inNav);
  return (
    <nav className="section-nav" aria-label="Sections">
      <ul>
        {links.map((section) => (
          <li key={section}>
            <a href={hrefOf({ section })} aria-current={section === current ? 'page' : undefined}>
              {SECTIONS[section].label}
            </a>
          </li>
        ))}
      </ul>
    </nav>
  );
}
