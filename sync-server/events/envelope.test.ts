import { describe, expect, it } from 'vitest';
import { checkEnvelope } from './envelope.ts';

const valid = {
  id: '0190f3a0-0000-7000-8000-000000000001',
  tenantId: '0190f3a0-0000-7000-8000-0000000000aa',
  type: 'appointment.status_changed',
  occurredAt: '2030-01-07T09:00:00.000Z',
  payload: { appointmentId: '0190f3a0-0000-7000-8000-0000000000bb' },
};

describe('event envelopes', () => {
  it('accept a complete envelope', () => {
    expect(checkEnvelope(valid)).toEqual({ ok: true, envelope: valid });
  });

  it.each([
    ['no org', { ...valid, tenantId: undefined }],
    ['an org that is not an id', { ...valid, tenantId: 'northside' }],
    ['an org id with SQL in it', { ...valid, tenantId: "' OR 1=1 --" }],
    ['a null org', { ...valid, tenantId: null }],
    ['not an object', 'clinicsync'],
    ['nothing', null],
  ])('refuse %s as TENANT_REQUIRED', (_what, raw) => {
    expect(checkEnvelope(raw)).toMatchObject({ ok: false, code: 'TENANT_REQUIRED' });
  });

  it.each([
    ['a bad type', { ...valid, type: 'Appointment Changed!' }],
    ['a bad id', { ...valid, id: 'x' }],
    ['a bad time', { ...valid, occurredAt: 'yesterday' }],
    ['a payload that is not an object', { ...valid, payload: [1] }],
    ['an unknown field', { ...valid, extra: true }],
  ])('refuse %s as VALIDATION, keeping only what is well-formed for the log', (_what, raw) => {
    const checked = checkEnvelope(raw);
    expect(checked).toMatchObject({ ok: false, code: 'VALIDATION' });
    if (!checked.ok) {
      expect(checked.type === null || checked.type === valid.type).toBe(true);
      expect(checked.id === null || checked.id === valid.id).toBe(true);
    }
  });
});
