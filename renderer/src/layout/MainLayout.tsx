import type { SessionStatus } from '../api/types.ts';
import { ChartScreen } from '../clinical/ChartScreen.tsx';
import { EncounterScreen } from '../clinical/EncounterScreen.tsx';
import { MyDayScreen } from '../clinical/MyDayScreen.tsx';
import { PatientsScreen } from '../patients/PatientsScreen.tsx';
import { ScheduleScreen } from '../schedule/ScheduleScreen.tsx';
import { SyncCentre } from '../sync/SyncCentre.tsx';
import { AppHeader } from './AppHeader.tsx';
import type { Route } from './routes.ts';
import { SectionNav } from './SectionNav.tsx';
import { SyncStatusBadge } from './SyncStatusBadge.tsx';
import { useRoute } from './use-route.ts';

function Screen({ route }: { route: Route }) {
  switch (route.section) {
    case 'schedule':
      return <ScheduleScreen />;
    case 'patients':
      return <PatientsScreen />;
    case 'my-day':
      return <MyDayScreen />;
    case 'chart':
      return <ChartScreen patientId={route.id ?? ''} />;
    case 'encounter':
      return <EncounterScreen encounterId={route.id ?? ''} />;
    case 'sync':
      return <SyncCentre />;
  }
}

export function MainLayout({ session }: { session: SessionStatus }) {
  // MainLayout renders only for a signed-in session, which always has a user.
  const role = session.user?.role ?? 'front_desk';
  const route = useRoute(role);
  return (
    <div className="app">
      <AppHeader session={session} />
      <div className="subbar">
        <SectionNav current={route.section} role={role} />
        <SyncStatusBadge />
      </div>
      <main className="content">
        <Screen route={route} />
      </main>
    </div>
  );
}
