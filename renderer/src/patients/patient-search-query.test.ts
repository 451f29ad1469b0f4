import { QueryClient, QueryObserver } from '@tanstack/react-query';
import { describe, expect, it } from 'vitest';
import type { PatientRow } from '../api/types.ts';
import { patientSearchQuery } from './patient-search-query.ts';

const ROW: PatientRow = { id: 'p1', givenName: 'Ines', familyName: 'Qzvorn', birthDate: '1931-07-09', sex: 'female', phone: '', mrn: 'VX-9021', pending: false };

/** Shows the search's answer on a "screen" (an observer) until it has data, then closes the screen. */
async function showThenClose(client: QueryClient, options: ReturnType<typeof patientSearchQuery>): Promise<void> {
  const observer = new QueryObserver(client, options);
  await new Promise<void>((resolve) => {
    const unsubscribe = observer.subscribe((result) => {
      if (result.data === undefined) return;
      unsubscribe();
      resolve();
    });
  });
  await new Promise((resolve) => setTimeout(resolve, 10)); // the cache's removal timer
}

describe('patient search answers in the page', () => {
  it('are dropped as soon as no screen shows them (patient data is not kept in the page)', async () => {
    const client = new QueryClient();
    const options = patientSearchQuery('Qzv', 25, async () => [ROW]);
    await showThenClose(client, options);
    expect(client.getQueryData(options.queryKey)).toBeUndefined();
    expect(client.getQueryCache().getAll()).toHaveLength(0);
  });

  it('would otherwise stay in the page for minutes (the library default the option overrides)', async () => {
    const client = new QueryClient();
    const { gcTime: _dropped, ...withDefaults } = patientSearchQuery('Qzv', 25, async () => [ROW]);
    await showThenClose(client, { ...withDefaults, gcTime: undefined as unknown as number });
    expect(client.getQueryData(withDefaults.queryKey)).toEqual([ROW]);
    client.clear();
  });
});
