import type { SessionStatus } from '../api/types.ts';
import { AppointmentsScreen } from '../appointments/AppointmentsScreen.tsx';
import { PatientsScreen } from '../patients/PatientsScreen.tsx';
import { SyncCentre } from '../sync/SyncCentre.tsx';
import { AppHeader } from './AppHeader.tsx';
import { SectionNav } from './SectionNav.tsx';
import { SyncStatusBadge } from './SyncStatusBadge.tsx';
import { useSection } from './use-section.ts';

export function MainLayout({ session }: { session: SessionStatus }) {
  const section = useSection();
  return (
    <div className="app">
      <AppHeader session={session} />
      <div className="subbar">
        <SectionNav current={section} />
        <SyncStatusBadge />
      </div>
      <main className="content">{section === 'patients' ? <PatientsScreen /> : section === 'sync' ? <SyncCentre /> : <AppointmentsScreen />}</main>
    </div>
  );
}
