/**
 * The engine shared by every Wycheproof format (C2SP/wycheproof `testvectors_v1`): file shape,
 * field decoding, and how a case's `result` (`valid` / `invalid` / `acceptable`) and our outcome
 * combine into passed, failed or skipped. Each concrete format only says which files it takes,
 * how to run one case and which rule applies to each `acceptable` flag (`wycheproofFormat`).
 */
import { type CryptoBackend, equalBytes } from '@p2pe/crypto';
import { DecodeError, fromHex, P2peError } from '@p2pe/transport-interfaces';
import { emptyReport, type FileReport, type VectorFormat } from '../format';

export type WycheproofResult = 'valid' | 'invalid' | 'acceptable';

export interface WycheproofCase {
  readonly tcId: number;
  readonly comment: string;
  readonly flags: readonly string[];
  readonly result: WycheproofResult;
  readonly [field: string]: unknown;
}

export interface WycheproofGroup {
  readonly type: string;
  readonly tests: readonly unknown[];
  readonly [field: string]: unknown;
}

export interface WycheproofFile {
  readonly algorithm: string;
  readonly schema: string;
  readonly numberOfTests?: number;
  readonly testGroups: readonly WycheproofGroup[];
}

/**
 * What our code did with one case.
 * - `accepted`: it produced a result; `matches` says whether the result equals the expected one.
 * - `rejected`: it refused the input (an error, or `false` from a verify function).
 * - `unsupported`: our API refused the case's parameters (key size, nonce size) before looking at
 *   the data, so the case says nothing about the check it was written for.
 * - `broken`: our code broke its own contract (e.g. a verify function threw); always a failure.
 */
export type CaseOutcome =
  | { readonly kind: 'accepted'; readonly matches: boolean; readonly detail?: string }
  | { readonly kind: 'rejected'; readonly reason: string }
  | {
      readonly kind: 'unsupported';
      readonly reason: string;
      /** The case's parameters our API does not take, e.g. `['128-bit key', '64-bit nonce']`. */
      readonly parameters?: readonly string[];
    }
  | { readonly kind: 'broken'; readonly reason: string };

/**
 * What an `acceptable` case must do, per flag:
 * - `reject`: our policy refuses these inputs; accepting one fails the case.
 * - `accept`: our contract computes these inputs; rejecting one, or a wrong result, fails it.
 * - `either`: both outcomes pass, but an accepted case must give the expected result.
 * A case with several flags takes the strictest: reject over accept over either.
 */
export type AcceptableRule = 'reject' | 'accept' | 'either';

export interface FlagRule {
  readonly rule: AcceptableRule;
  /** Why, in one line: printed under the file so a reader sees the policy that was applied. */
  readonly why: string;
}

export type FlagRules = Readonly<Record<string, FlagRule>>;

/** A vector field that is missing or malformed: the case fails, the file still runs. */
export class MalformedCaseError extends DecodeError {
  constructor(message: string) {
    super('VECTOR_CASE_MALFORMED', message);
  }
}

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

/** Schemas are named `xdh_comp_schema_v1.json` in the files; accept the name without `.json`. */
function schemaName(value: unknown): string | undefined {
  return typeof value === 'string' ? value.replace(/\.json$/, '') : undefined;
}

/**
 * True when `json` is a Wycheproof file of `schema` whose `algorithm` is one of `algorithms` and
 * whose groups all pass `group` (e.g. a curve check). Detection by content only.
 */
export function isWycheproof(
  json: unknown,
  schema: string,
  algorithms: readonly string[],
  group: (g: Record<string, unknown>) => boolean = () => true,
): json is WycheproofFile {
  if (!isRecord(json)) return false;
  if (schemaName(json.schema) !== schema) return false;
  if (typeof json.algorithm !== 'string' || !algorithms.includes(json.algorithm)) return false;
  const groups = json.testGroups;
  if (!Array.isArray(groups) || groups.length === 0) return false;
  return groups.every((g) => isRecord(g) && Array.isArray(g.tests) && group(g));
}

/** Bytes of a hex field of a case or group; a missing or non-hex field makes the case malformed. */
export function hexField(record: Readonly<Record<string, unknown>>, name: string): Uint8Array {
  const value = record[name];
  if (typeof value !== 'string') throw new MalformedCaseError(`field "${name}" is not a string`);
  try {
    return fromHex(value);
  } catch {
    throw new MalformedCaseError(`field "${name}" is not even-length hex`);
  }
}

/** A non-negative integer field (sizes in bits or bytes). */
export function intField(record: Readonly<Record<string, unknown>>, name: string): number {
  const value = record[name];
  if (typeof value !== 'number' || !Number.isSafeInteger(value) || value < 0) {
    throw new MalformedCaseError(`field "${name}" is not a non-negative integer`);
  }
  return value;
}

/** A string field of a case or group. */
export function stringField(record: Readonly<Record<string, unknown>>, name: string): string {
  const value = record[name];
  if (typeof value !== 'string') throw new MalformedCaseError(`field "${name}" is not a string`);
  return value;
}

/**
 * Why our code refused something, for a failure line: the stable code of our errors, else the
 * error's name and message. Our errors carry no key bytes or plaintext in their messages.
 */
export function reasonOf(err: unknown): string {
  if (P2peError.is(err)) return err.code;
  if (err instanceof Error) return `${err.name}: ${err.message}`;
  return String(err);
}

/** Runs `op`; an exception becomes a `rejected` outcome carrying its reason. */
export function attempt<T>(
  op: () => T,
): { readonly ok: true; readonly value: T } | { readonly ok: false; readonly reason: string } {
  try {
    return { ok: true, value: op() };
  } catch (err) {
    return { ok: false, reason: reasonOf(err) };
  }
}

/** Runs `op`: a refusal is `rejected`; an output is `accepted`, matching when it equals `expected`. */
export function outputOutcome(op: () => Uint8Array, expected: Uint8Array): CaseOutcome {
  const out = attempt(op);
  if (!out.ok) return { kind: 'rejected', reason: out.reason };
  return { kind: 'accepted', matches: equalBytes(out.value, expected) };
}

function parseCase(value: unknown): WycheproofCase {
  if (!isRecord(value)) throw new MalformedCaseError('test case is not an object');
  const { tcId, result, flags, comment } = value;
  if (typeof tcId !== 'number' || !Number.isSafeInteger(tcId)) {
    throw new MalformedCaseError('field "tcId" is not an integer');
  }
  if (result !== 'valid' && result !== 'invalid' && result !== 'acceptable') {
    throw new MalformedCaseError(`tcId ${tcId}: field "result" is not valid/invalid/acceptable`);
  }
  const flagList = flags === undefined ? [] : flags;
  if (!Array.isArray(flagList) || !flagList.every((f) => typeof f === 'string')) {
    throw new MalformedCaseError(`tcId ${tcId}: field "flags" is not a list of strings`);
  }
  return {
    ...value,
    tcId,
    result,
    flags: flagList as string[],
    comment: typeof comment === 'string' ? comment : '',
  };
}

/** The rule for an `acceptable` case: the strictest over its flags; undefined lists the gaps. */
export function ruleFor(
  flags: readonly string[],
  rules: FlagRules,
): { readonly rule: AcceptableRule } | { readonly undocumented: readonly string[] } {
  const undocumented = flags.filter((f) => !Object.hasOwn(rules, f));
  if (undocumented.length > 0 || flags.length === 0) {
    return { undocumented: flags.length === 0 ? ['(no flags)'] : undocumented };
  }
  const kinds = flags.map((f) => rules[f]!.rule);
  if (kinds.includes('reject')) return { rule: 'reject' };
  if (kinds.includes('accept')) return { rule: 'accept' };
  return { rule: 'either' };
}

type Verdict = { readonly verdict: 'pass' | 'skip' } | { readonly verdict: 'fail'; why: string };

/** Combines the vector's `result` with what our code did. */
export function judge(
  result: WycheproofResult,
  outcome: CaseOutcome,
  rule: AcceptableRule | undefined,
): Verdict {
  if (outcome.kind === 'broken') return { verdict: 'fail', why: outcome.reason };
  const wrongOutput = (o: { detail?: string }) =>
    ({
      verdict: 'fail',
      why: `accepted with a wrong result${o.detail ? ` (${o.detail})` : ''}`,
    }) as const;
  // `acceptable` under a rule reads like `valid` (accept) or `invalid` (reject).
  const effective = result === 'acceptable' ? rule : result === 'valid' ? 'accept' : 'reject';
  switch (effective) {
    case 'accept':
      if (outcome.kind === 'accepted')
        return outcome.matches ? { verdict: 'pass' } : wrongOutput(outcome);
      if (outcome.kind === 'unsupported') return { verdict: 'skip' };
      return { verdict: 'fail', why: `rejected: ${outcome.reason}` };
    case 'reject':
      if (outcome.kind === 'accepted') {
        return {
          verdict: 'fail',
          why: `accepted${outcome.matches ? '' : ' (with a result that differs from the vector)'}`,
        };
      }
      return { verdict: 'pass' };
    case 'either':
      if (outcome.kind === 'accepted' && !outcome.matches) return wrongOutput(outcome);
      return { verdict: 'pass' };
    default:
      return { verdict: 'fail', why: 'internal: no rule' };
  }
}

export interface WycheproofRunner {
  /** The rule for each `acceptable` flag of this format (see README). */
  readonly rules: FlagRules;
  /** Runs one case. Throws MalformedCaseError for a malformed field; never for our code's errors. */
  runCase(group: WycheproofGroup, test: WycheproofCase): CaseOutcome;
}

/** Per reason: how many cases, and how many cases had each unsupported parameter. */
interface Unsupported {
  cases: number;
  parameters: Map<string, number>;
}

function tally(
  map: Map<string, Unsupported>,
  outcome: { reason: string; parameters?: readonly string[] },
): void {
  const entry = map.get(outcome.reason) ?? { cases: 0, parameters: new Map<string, number>() };
  entry.cases++;
  for (const p of outcome.parameters ?? [])
    entry.parameters.set(p, (entry.parameters.get(p) ?? 0) + 1);
  map.set(outcome.reason, entry);
}

const list = (u: Unsupported) =>
  u.parameters.size === 0 ? '' : ` (${[...u.parameters].map(([p, n]) => `${p} ×${n}`).join(', ')})`;

/**
 * Runs every case of a Wycheproof file. Every case counts exactly once: passed, failed, or (only
 * a valid case our API cannot express) skipped, with the reason in the notes.
 */
export function runWycheproof(file: WycheproofFile, runner: WycheproofRunner): FileReport {
  const report = emptyReport();
  const counted = file.testGroups.reduce((n, g) => n + g.tests.length, 0);
  if (file.numberOfTests !== undefined && file.numberOfTests !== counted) {
    throw new DecodeError(
      'VECTOR_FILE_MALFORMED',
      `numberOfTests is ${file.numberOfTests} but the file holds ${counted} tests`,
    );
  }
  const skippedWhy = new Map<string, Unsupported>();
  const rejectedByApi = new Map<string, Unsupported>();
  // Per effective rule and its reason: the deciding flags, and how our code resolved the cases.
  const acceptable = new Map<string, { flags: Set<string>; accepted: number; rejected: number }>();
  let index = 0;
  for (const group of file.testGroups) {
    for (const raw of group.tests) {
      index++;
      let test: WycheproofCase;
      try {
        test = parseCase(raw);
      } catch (err) {
        report.failed++;
        report.failures.push(`case #${index}: malformed: ${(err as Error).message}`);
        continue;
      }
      const label = `tcId ${test.tcId} (${test.result}${test.flags.length ? `; ${test.flags.join(', ')}` : ''})`;
      let outcome: CaseOutcome;
      try {
        outcome = runner.runCase(group, test);
      } catch (err) {
        report.failed++;
        report.failures.push(`${label}: malformed: ${(err as Error).message}`);
        continue;
      }
      let rule: AcceptableRule | undefined;
      if (test.result === 'acceptable') {
        const found = ruleFor(test.flags, runner.rules);
        if ('undocumented' in found) {
          report.failed++;
          report.failures.push(
            `${label}: no documented rule for flag ${found.undocumented.join(', ')}`,
          );
          continue;
        }
        rule = found.rule;
        const deciding = test.flags.filter((f) => runner.rules[f]!.rule === found.rule);
        const key = `rule ${found.rule}: ${[...new Set(deciding.map((f) => runner.rules[f]!.why))].join('; ')}`;
        const bucket = acceptable.get(key) ?? { flags: new Set(), accepted: 0, rejected: 0 };
        for (const f of deciding) bucket.flags.add(f);
        if (outcome.kind === 'accepted') bucket.accepted++;
        else bucket.rejected++;
        acceptable.set(key, bucket);
      }
      const v = judge(test.result, outcome, rule);
      if (v.verdict === 'fail') {
        report.failed++;
        report.failures.push(`${label}: ${v.why}`);
      } else if (v.verdict === 'skip') {
        report.skipped++;
        if (outcome.kind === 'unsupported') tally(skippedWhy, outcome);
      } else {
        report.passed++;
        if (outcome.kind === 'unsupported') tally(rejectedByApi, outcome);
      }
    }
  }
  for (const [key, t] of acceptable) {
    const n = t.accepted + t.rejected;
    report.notes.push(
      `acceptable [${[...t.flags].sort().join(', ')}] ${key}; ${n} cases: ${t.accepted} accepted, ${t.rejected} rejected`,
    );
  }
  for (const [why, u] of rejectedByApi) {
    report.notes.push(
      `${u.cases} cases that must be refused passed only because our API refuses their parameters: ${why}${list(u)}`,
    );
  }
  for (const [why, u] of skippedWhy) {
    report.notes.push(
      `${u.cases} valid cases skipped, our API cannot express them: ${why}${list(u)}`,
    );
  }
  return report;
}

/** What a concrete Wycheproof format supplies; `wycheproofFormat` makes the VectorFormat. */
export interface WycheproofFormatSpec {
  /** Short name printed by the runner, e.g. `wycheproof-mac`. */
  readonly name: string;
  /** The files' `schema`, without `.json`. */
  readonly schema: string;
  /** The `algorithm` values the format takes. */
  readonly algorithms: readonly string[];
  /** A check every group must pass (e.g. its curve), to detect the file and to verify it. */
  readonly group?: (g: Record<string, unknown>) => boolean;
  /** What the format takes, for the error on any other file: `not a Wycheproof ${fileType}`. */
  readonly fileType: string;
  /** The rule for each `acceptable` flag. */
  readonly rules: FlagRules;
  /** How to run the cases of `file` with `backend` (per-file setup, e.g. picking the hash). */
  caseRunner(file: WycheproofFile, backend: CryptoBackend): WycheproofRunner['runCase'];
}

/**
 * A format that claims the files of `spec.schema` and `spec.algorithms` whose groups pass
 * `spec.group`; `verify` throws DecodeError `VECTOR_FILE_MALFORMED` for any other file, else
 * runs every case through `runWycheproof`.
 */
export function wycheproofFormat(spec: WycheproofFormatSpec): VectorFormat {
  const takes = (json: unknown): json is WycheproofFile =>
    isWycheproof(json, spec.schema, spec.algorithms, spec.group);
  return {
    name: spec.name,
    detect: (file) => takes(file.json),
    verify(file, backend) {
      const json = file.json;
      if (!takes(json)) {
        throw new DecodeError('VECTOR_FILE_MALFORMED', `not a Wycheproof ${spec.fileType}`);
      }
      return runWycheproof(json, { rules: spec.rules, runCase: spec.caseRunner(json, backend) });
    },
  };
}
