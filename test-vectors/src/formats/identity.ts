/**
 * `p2pe-identity-v1`: vectors of @p2pe/identity (test-vectors/identity/*.json, written by
 * test-vectors/scripts/generate-identity.ts). One format for every file of the layer; each case
 * has a `type`, and `valid: false` cases name the error `code` the verifier must throw (and the
 * likely-wrong `position` for codes and word forms). Times are ms since the Unix epoch; `now` is
 * the verifier's clock. Byte layouts, labels and rules: test-vectors/identity/README.md and the
 * identity package README.
 */
import type { CryptoBackend } from '@p2pe/crypto';
import {
  decodeIdentity,
  encodeIdentity,
  followSuccessions,
  identityCode,
  identityWords,
  openBackupSync,
  parseIdentityCode,
  parseIdentityWords,
  peerIdOf,
  RevocationList,
  safetyNumber,
  safetyNumberHalf,
  shortAuthString,
  type VerifiedRecord,
  verifyInvite,
  verifyRecord,
  verifyRevocation,
  verifyStaticKeyCertificate,
  verifySuccession,
} from '@p2pe/identity';
import { fromHex, ManualClock, toHex } from '@p2pe/transport-interfaces';
import { emptyReport, type FileReport, type VectorFormat } from '../format';

export const IDENTITY_VECTOR_FORMAT = 'p2pe-identity-v1';

interface Base {
  id: string;
  comment?: string;
}
/** For `valid: false` cases: the error code to throw and, for codes and words, the position. */
interface Invalid {
  valid: false;
  error: string;
  position?: number;
}
export interface StaticKeyVector {
  suite: string;
  publicKey: string;
  notBefore: number;
  notAfter: number;
}

export type IdentityVectorCase = Base &
  (
    | {
        type: 'key';
        secretKey: string;
        publicKey: string;
        peerId: string;
        identityCode: string;
        identityCodeGrouped: string;
        words: string;
        revocation: string;
        safetyNumberHalf: string;
      }
    | ({ type: 'code'; text: string } & ({ valid: true; publicKey: string } | Invalid))
    | ({ type: 'words'; text: string } & ({ valid: true; publicKey: string } | Invalid))
    | ({ type: 'static-key-certificate'; certificate: string; now: number } & (
        | ({ valid: true; identityKey: string } & StaticKeyVector)
        | Invalid
      ))
    | ({
        type: 'record';
        record: string;
        now: number;
        previous?: string;
        revocations?: string[];
      } & (
        | {
            valid: true;
            identityKey: string;
            peerId: string;
            sequence: number;
            expiresAt: number;
            staticKeys: StaticKeyVector[];
            suites: string[];
            addresses: string[];
            relays: string[];
          }
        | Invalid
      ))
    | ({ type: 'invite'; invite?: string; uri?: string; now: number; revocations?: string[] } & (
        | {
            valid: true;
            identityKey: string;
            peerId: string;
            expiresAt: number;
            addresses: string[];
            secret?: string;
          }
        | Invalid
      ))
    | { type: 'safety-number'; identityKeyA: string; identityKeyB: string; safetyNumber: string }
    | { type: 'sas'; transcriptHash: string; words: number; sas: string }
    | ({ type: 'succession'; succession: string; revocations?: string[] } & (
        | { valid: true; oldKey: string; newKey: string }
        | Invalid
      ))
    | ({ type: 'succession-chain'; trustedKey: string; chain: string[]; revocations?: string[] } & (
        | { valid: true; result: string }
        | Invalid
      ))
    | ({ type: 'revocation'; revocation: string } & (
        | { valid: true; identityKey: string }
        | Invalid
      ))
    | ({
        type: 'backup';
        backup: string;
        recoveryCode?: string;
        passphrase?: string;
      } & ({ valid: true; identityState: string; publicKey: string; appState: string } | Invalid))
  );

export interface IdentityVectorFile {
  format: typeof IDENTITY_VECTOR_FORMAT;
  suite: string;
  generator: string;
  seed: string;
  description: string;
  cases: IdentityVectorCase[];
}

function isIdentityFile(json: unknown): json is IdentityVectorFile {
  const j = json as Partial<IdentityVectorFile> | undefined;
  return (
    typeof j === 'object' &&
    j !== null &&
    j.format === IDENTITY_VECTOR_FORMAT &&
    Array.isArray(j.cases)
  );
}

/** Thrown inside a case to report the first field that differs. */
class Mismatch extends Error {}

function same(field: string, expected: unknown, actual: unknown): void {
  if (JSON.stringify(expected) !== JSON.stringify(actual)) throw new Mismatch(`${field} differs`);
}

function staticKeysOf(
  keys: readonly { suite: string; publicKey: Uint8Array; notBefore: number; notAfter: number }[],
): StaticKeyVector[] {
  return keys.map((k) => ({
    suite: k.suite,
    publicKey: toHex(k.publicKey),
    notBefore: k.notBefore,
    notAfter: k.notAfter,
  }));
}

function revocationsOf(hex: string[] | undefined, crypto: CryptoBackend): RevocationList {
  const list = new RevocationList();
  for (const h of hex ?? []) list.add(fromHex(h), { crypto });
  return list;
}

/** Runs a valid case's check, or for an invalid case expects the named error (and position). */
function expectOutcome(
  c: { valid: boolean; error?: string; position?: number },
  run: () => void,
): void {
  if (c.valid) {
    run();
    return;
  }
  try {
    run();
  } catch (err) {
    if (err instanceof Mismatch) throw err;
    const code = (err as { code?: string }).code;
    if (code !== c.error)
      throw new Mismatch(`threw ${code ?? 'a non-P2PE error'}, expected ${c.error}`);
    const position = (err as { position?: number }).position;
    if (c.position !== position) {
      throw new Mismatch(`position ${String(position)}, expected ${String(c.position)}`);
    }
    return;
  }
  throw new Mismatch(`accepted, expected ${c.error}`);
}

/** Checks one case with `crypto`; throws Mismatch (or the unexpected error) on a difference. */
export function checkIdentityCase(c: IdentityVectorCase, crypto: CryptoBackend): void {
  switch (c.type) {
    case 'key': {
      const publicKey = crypto.ed25519.keyPairFromSecret(fromHex(c.secretKey)).publicKey;
      same('publicKey', c.publicKey, toHex(publicKey));
      same('peerId', c.peerId, toHex(peerIdOf(publicKey, { crypto })));
      same('identityCode', c.identityCode, identityCode(publicKey, { grouped: false }));
      same('identityCodeGrouped', c.identityCodeGrouped, identityCode(publicKey));
      same('words', c.words, identityWords(publicKey).join(' '));
      same('identityCode (parsed)', c.publicKey, toHex(parseIdentityCode(c.identityCodeGrouped)));
      same('words (parsed)', c.publicKey, toHex(parseIdentityWords(c.words)));
      same('revocation', c.publicKey, toHex(verifyRevocation(fromHex(c.revocation), { crypto })));
      same('safetyNumberHalf', c.safetyNumberHalf, safetyNumberHalf(publicKey, { crypto }));
      return;
    }
    case 'code':
      expectOutcome(c, () => {
        const key = toHex(parseIdentityCode(c.text));
        if (c.valid) same('publicKey', c.publicKey, key);
      });
      return;
    case 'words':
      expectOutcome(c, () => {
        const key = toHex(parseIdentityWords(c.text));
        if (c.valid) same('publicKey', c.publicKey, key);
      });
      return;
    case 'static-key-certificate':
      expectOutcome(c, () => {
        const v = verifyStaticKeyCertificate(fromHex(c.certificate), {
          crypto,
          clock: new ManualClock(c.now),
        });
        if (!c.valid) return;
        same('identityKey', c.identityKey, toHex(v.identityKey));
        same('suite', c.suite, v.suite);
        same('publicKey', c.publicKey, toHex(v.publicKey));
        same('notBefore', c.notBefore, v.notBefore);
        same('notAfter', c.notAfter, v.notAfter);
      });
      return;
    case 'record':
      expectOutcome(c, () => {
        const clock = new ManualClock(c.now);
        let previous: VerifiedRecord | undefined;
        if (c.previous !== undefined) {
          previous = verifyRecord(fromHex(c.previous), { crypto, clock });
        }
        const v = verifyRecord(fromHex(c.record), {
          crypto,
          clock,
          revocations: revocationsOf(c.revocations, crypto),
          ...(previous === undefined ? {} : { previous }),
        });
        if (!c.valid) return;
        same('identityKey', c.identityKey, toHex(v.identityKey));
        same('peerId', c.peerId, toHex(v.peerId));
        same('sequence', c.sequence, v.sequence);
        same('expiresAt', c.expiresAt, v.expiresAt);
        same('staticKeys', c.staticKeys, staticKeysOf(v.staticKeys));
        same('suites', c.suites, v.suites);
        same('addresses', c.addresses, v.addresses);
        same('relays', c.relays, v.relays.map(toHex));
      });
      return;
    case 'invite':
      expectOutcome(c, () => {
        const options = {
          crypto,
          clock: new ManualClock(c.now),
          revocations: revocationsOf(c.revocations, crypto),
        };
        const forms = [
          ...(c.invite === undefined ? [] : [fromHex(c.invite)]),
          ...(c.uri === undefined ? [] : [c.uri]),
        ];
        if (forms.length === 0) throw new Mismatch('case has neither invite nor uri');
        for (const form of forms) {
          const v = verifyInvite(form, options);
          if (!c.valid) continue;
          same('identityKey', c.identityKey, toHex(v.identityKey));
          same('peerId', c.peerId, toHex(v.peerId));
          same('expiresAt', c.expiresAt, v.expiresAt);
          same('addresses', c.addresses, v.addresses);
          same('secret', c.secret, v.secret === undefined ? undefined : toHex(v.secret));
        }
      });
      return;
    case 'safety-number': {
      const a = fromHex(c.identityKeyA);
      const b = fromHex(c.identityKeyB);
      same('safetyNumber', c.safetyNumber, safetyNumber(a, b, { crypto }));
      same('safetyNumber (other side)', c.safetyNumber, safetyNumber(b, a, { crypto }));
      return;
    }
    case 'sas':
      same(
        'sas',
        c.sas,
        shortAuthString(fromHex(c.transcriptHash), { crypto, words: c.words }).join(' '),
      );
      return;
    case 'succession':
      expectOutcome(c, () => {
        const v = verifySuccession(fromHex(c.succession), {
          crypto,
          revocations: revocationsOf(c.revocations, crypto),
        });
        if (!c.valid) return;
        same('oldKey', c.oldKey, toHex(v.oldKey));
        same('newKey', c.newKey, toHex(v.newKey));
      });
      return;
    case 'succession-chain':
      expectOutcome(c, () => {
        const result = followSuccessions(fromHex(c.trustedKey), c.chain.map(fromHex), {
          crypto,
          revocations: revocationsOf(c.revocations, crypto),
        });
        if (c.valid) same('result', c.result, toHex(result));
      });
      return;
    case 'revocation':
      expectOutcome(c, () => {
        const key = verifyRevocation(fromHex(c.revocation), { crypto });
        if (c.valid) same('identityKey', c.identityKey, toHex(key));
      });
      return;
    case 'backup':
      expectOutcome(c, () => {
        const secret =
          c.recoveryCode !== undefined
            ? { recoveryCode: c.recoveryCode }
            : { passphrase: c.passphrase ?? '' };
        const { identity, appState } = openBackupSync(fromHex(c.backup), secret, { crypto });
        if (!c.valid) return;
        same('publicKey', c.publicKey, toHex(identity.publicKey));
        same('identityState', c.identityState, toHex(encodeIdentity(identity)));
        same('appState', c.appState, toHex(appState));
        // The state read back is itself a valid state.
        same(
          'identityState (again)',
          c.identityState,
          toHex(encodeIdentity(decodeIdentity(fromHex(c.identityState), { crypto }))),
        );
      });
      return;
    default:
      throw new Mismatch(`unknown case type ${String((c as { type?: unknown }).type)}`);
  }
}

export const p2peIdentity: VectorFormat = {
  name: IDENTITY_VECTOR_FORMAT,
  detect: (file) => isIdentityFile(file.json),
  verify(file, backend: CryptoBackend): FileReport {
    const report = emptyReport();
    const json = file.json;
    if (!isIdentityFile(json)) {
      report.failed++;
      report.failures.push(`file: not a ${IDENTITY_VECTOR_FORMAT} file`);
      return report;
    }
    for (const c of json.cases) {
      try {
        checkIdentityCase(c, backend);
        report.passed++;
      } catch (err) {
        report.failed++;
        const what =
          err instanceof Mismatch
            ? err.message
            : `threw ${(err as { code?: string }).code ?? 'ERROR'}`;
        report.failures.push(`${String(c.id)} (${String(c.type)}): ${what}`);
      }
    }
    return report;
  },
};
