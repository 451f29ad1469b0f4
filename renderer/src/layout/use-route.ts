import { useEffect, useState } from 'react';
import type { Role } from '../../../shared/sync/auth.ts';
import { parseRoute, type Route } from './routes.ts';

/** The current screen from the location hash, re-read on every hashchange. */
export function useRoute(role: Role): Route {
  const [hash, setHash] = useState(() => window.location.hash);
  useEffect(() => {
    const onChange = () => setHash(window.location.hash);
    window.addEventListener('hashchange', onChange);
    return () => window.removeEventListener('hashchange', onChange);
  }, []);
  return parseRoute(hash, role);
}
