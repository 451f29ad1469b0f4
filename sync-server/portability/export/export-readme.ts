import { NEVER_EXPORTED, OPERATIONAL_TABLES } from './operational-files.ts';
import { mrnSystem } from './fhir-resources.ts';

/** What each FHIR file holds, for the README. */
export const FHIR_FILE_NOTES: Record<string, string> = {
  Organization: 'The practice itself: org code, NPI and Tax ID (EIN) as identifiers, address and phone from the practice profile.',
  Location: 'Clinics, rooms, telehealth and external locations.',
  Practitioner: 'Every staff member (FHIR counts desk staff as practitioners too), with NPI and licences (qualification).',
  PractitionerRole: "Each staff member's role in this org: job roles, the locations and weekly hours of their schedules.",
  Patient:
    "Every patient linked to this org: the shared core identity (name, birth date, sex, phone) as this org sees it, this org's MRN (identifier with type MR) and the identifiers this org recorded. Never another org's MRN.",
  Encounter: 'Visits: in-progress (open) or finished (closed), with the practitioner and appointment when known.',
  Appointment: "The diary: booked, checked-in, cancelled and no-show appointments with patient, practitioner and location.",
  ServiceRequest: 'Orders (lab, imaging, medication, procedure, referral) with their current status; history in operational/order_transitions.csv.',
  DocumentReference:
    'Clinical notes. The text is content[0].attachment.data (base64 of UTF-8 plain text). docStatus: preliminary = draft, final = signed, amended = a signed amendment, which relatesTo (appends) the note it amends.',
};

/** The README.md placed in every export: what each file is and what each column means. */
export function exportReadme(input: { tenantId: string; transactionTime: string; fhir: readonly { type: string; file: string; count: number }[] }): string {
  const lines: string[] = [
    '# Clinicsync organization export',
    '',
    `Organization id: ${input.tenantId}. Export started: ${input.transactionTime} (manifest.json: transactionTime).`,
    '',
    'This folder holds protected health information. Keep it on encrypted storage and delete it when done.',
    '',
    '## Layout',
    '',
    '- `manifest.json`: the FHIR Bulk Data `$export` manifest (transactionTime, request, requiresAccessToken, output[{type, url, count}], error[]).',
    '  `url` is the file name relative to this folder. `extension.clinicsync` lists the operational files and what was excluded.',
    '- `<ResourceType>.ndjson`: FHIR R4 resources, one JSON resource per line (Bulk Data NDJSON).',
    '- `operational/`: set-up, personnel and the audit trail as CSV (RFC 4180, header row, UTF-8) or NDJSON.',
    '',
    'Rows are read a page at a time while the practice keeps working, so a record changed during the export',
    'appears as it was when its page was read (every record committed before transactionTime is included).',
    '',
    '## FHIR R4 files',
    '',
    'Every reference points inside this export (`Patient/{id}`, `Practitioner/{id}`, `Encounter/{id}`, `Location/{id}`,',
    "`Organization/{id}`, `Appointment/{id}`, `DocumentReference/{id}`); a patient no longer linked to the org is named by a",
    'display-only reference. Ids are the Clinicsync ids, so the CSV files join to them.',
    `The MRN's identifier system is \`${mrnSystem(input.tenantId)}\`.`,
    '',
    '| file | resources | content |',
    '|---|--:|---|',
    ...input.fhir.map((entry) => `| \`${entry.file}\` | ${entry.count} | ${FHIR_FILE_NOTES[entry.type] ?? ''} |`),
    '',
    '## Operational files',
    '',
  ];
  for (const table of OPERATIONAL_TABLES) {
    lines.push(`### \`${table.file}\``, '', `${table.description} (${table.format.toUpperCase()}; from \`${table.table}\`.)`, '', '| column | meaning |', '|---|---|');
    for (const column of table.columns) lines.push(`| \`${column.name}\` | ${column.description} |`);
    lines.push('');
  }
  lines.push(
    '## Not exported',
    '',
    `- The vault (${NEVER_EXPORTED.map((table) => `\`${table}\``).join(', ')}): payer-portal and EHR-integration credentials and their keys. Re-enter them in the next system.`,
    '- Sign-in secrets (password hashes, sessions, enrollment tokens, patient link codes) and sync bookkeeping (change feeds, mutation ledgers, jobs).',
    '- Anything of another organization, including its MRN for a patient both organizations see.',
    '',
  );
  return lines.join('\n');
}
