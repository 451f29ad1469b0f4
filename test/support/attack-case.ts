import type { Role } from '../../shared/sync/auth.ts';
import type { CallOutcome } from './attack-calls.ts';
import type { AttackFixture, AttackOrg } from './attack-fixture.ts';

/** A field's place in an input: object keys and array indexes. */
export type Path = readonly (string | number)[];

/** A field of the valid input that names an id, and B's id of the same kind to put there. */
export interface CrossIdField {
  path: Path;
  /** B's id of the kind this field names. */
  id: string;
  /**
   * The field carries an id the caller chooses for a NEW record (create with a client id).
   * An unknown id is then a legitimate create, so B's id is not compared with one; it must
   * be refused (`judge`, default: NOT_FOUND). Ids are UUIDv7 with 74 random bits, so
   * "this id is taken" tells nothing an attacker could have guessed.
   */
  clientChosen?: true;
  /** How B's id must be answered, when it is not simply "like an unknown id". */
  judge?: (outcome: CallOutcome) => string | null;
}

/** An attack particular to one procedure (foreign rows pushed, per-entity permissions, sign-in with another org's code…). */
export interface ExtraAttack {
  /** Groups the count ("foreign-row", "forbidden", "cross-org-credentials", …). */
  kind: string;
  name: string;
  /** The user whose session makes the call (default: the case's role in org A); 'none' for public procedures. */
  as?: { org: 'A' | 'B'; role: Role } | 'none';
  /** Send exactly these headers over raw HTTP instead of a session's client. */
  headers?: Record<string, string>;
  input: unknown;
  /** The error code the call must end with, or a judge returning a problem or null. */
  expect: string | ((outcome: CallOutcome) => string | null);
}

export interface InputVariant {
  input: () => unknown;
  /** B's id for every id field of this variant (protected procedures). */
  crossIds?: CrossIdField[];
}

interface CaseBase {
  /**
   * A valid input for org A, called anew for every call (so creates get fresh ids). It must
   * hold every string field the input schema declares, optional ones included (checked):
   * the injection strings go into each string field found here.
   */
  input: () => unknown;
  /**
   * Further valid inputs, for schemas whose fields exclude each other (e.g. "encounterId or
   * patientId"). Each is called as a control and gets its own cross-id and injection attacks.
   */
  variants?: InputVariant[];
  /** Checks org A's successful answer to the valid input (returns a problem or null). */
  control?: (data: unknown) => string | null;
  /** Procedure-specific attacks. */
  extra?: ExtraAttack[];
  /** Outcomes allowed for injection strings besides success and VALIDATION (default NOT_FOUND, CONFLICT). */
  injectionCodes?: string[];
}

/** A procedure behind request entry: it names a capability. */
export interface ProtectedCase extends CaseBase {
  public?: never;
  /** A role of org A that holds the capability; the valid, cross-id and injection calls run as it. */
  role: Role;
  /** One entry per id field of `input()` (a test checks every UUID-valued field is listed). */
  crossIds: CrossIdField[];
  /** The valid call ends this session (sign-out): it runs on a fresh one. */
  consumesSession?: true;
}

/** Health and sign-in. */
export interface PublicCase extends CaseBase {
  public: true;
}

export type ProcedureCase = ProtectedCase | PublicCase;

/** Given the two-org fixture, the attack material for one procedure path. */
export type CaseBuilder = (fx: AttackFixture) => ProcedureCase | Promise<ProcedureCase>;

export type { AttackFixture, AttackOrg, CallOutcome };
