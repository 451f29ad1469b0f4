import { useEffect, useState } from 'react';

export type Section = 'patients' | 'appointments' | 'sync';

const SECTIONS: readonly Section[] = ['patients', 'appointments', 'sync'];

function read(): Section {
  const name = window.location.hash.replace(/^#\/?/, '');
  return (SECTIONS as readonly string[]).includes(name) ? (name as Section) : 'patients';
}

/** Hash routing: works the same from app:// in Electron and from the loopback host. */
export function useSection(): Section {
  const [section, setSection] = useState<Section>(read);
  useEffect(() => {
    const onChange = () => setSection(read());
    window.addEventListener('hashchange', onChange);
    return () => window.removeEventListener('hashchange', onChange);
  }, []);
  return section;
}
