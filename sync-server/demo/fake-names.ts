/**
 * Obviously fake names, so nobody mistakes demo data for a real person (or pet).
 * Family names are made-up words; phones use the fictional 555-01xx range.
 */
export const FAKE_GIVEN_NAMES = [
  'Testina', 'Demoray', 'Samplia', 'Fakerio', 'Mockley', 'Placida', 'Dummond', 'Pretenda',
  'Exemplo', 'Fictiona', 'Madeup', 'Notreal', 'Stubbert', 'Fixturo', 'Mockette', 'Sandboxa',
] as const;

export const FAKE_FAMILY_NAMES = [
  'Testington', 'Sampleton', 'Demoworth', 'Fakesby', 'Mockingham', 'Placeholder', 'Dummyfield',
  'Fictionshire', 'Notarealson', 'Stubbsworth', 'Fixtureman', 'Exampleby', 'Pretendale', 'Synthetico',
] as const;

export const FAKE_PET_NAMES = [
  'Testy Biscuit', 'Demo Whiskers', 'Sample Rex', 'Fake Pickles', 'Mock Noodle', 'Stub Pepper',
  'Dummy Mittens', 'Fixture Bean', 'Pretend Waffles', 'Example Ziggy',
] as const;

export const FAKE_PRACTITIONERS = ['Dr. Demo Alpha', 'Dr. Sample Beta', 'Dr. Test Gamma', 'Nurse Mock Delta'] as const;

export const VISIT_REASONS_HUMAN = ['Annual check-up', 'Follow-up', 'Vaccination', 'Blood test review', 'Consultation'] as const;
export const VISIT_REASONS_VET = ['Vaccination', 'Dental check', 'Annual wellness', 'Limping', 'Follow-up'] as const;
