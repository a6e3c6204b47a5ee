/**
 * Cross-type replays: every signed statement (record, static-key certificate, invite, succession,
 * revocation) is signed over `label || 0x00 || body` with its own label. Here each real body is
 * re-signed by its own key under every other label (and under no label at all) and handed to its
 * own verifier: only the matching label may verify. The control case (own label) must verify, so
 * the test fails if the verifiers stop checking the label or check the wrong one.
 */
import { nodeBackend } from '@p2pe/crypto/node';
import { ProtoWriter } from '@p2pe/transport-interfaces';
import { describe, expect, test } from 'vitest';
import { signedMessage } from '../src/common';
import {
  LABEL_INVITE,
  LABEL_PEER_ID,
  LABEL_RECORD,
  LABEL_REVOCATION,
  LABEL_SAFETY_NUMBER,
  LABEL_SAS,
  LABEL_STATIC_KEY,
  LABEL_SUCCESSION,
} from '../src/constants';
import { decodeEnvelope, encodeEnvelope } from '../src/envelope';
import {
  createInvite,
  createRecord,
  type Identity,
  succeedIdentity,
  verifyInvite,
  verifyRecord,
  verifyRevocation,
  verifyStaticKeyCertificate,
  verifySuccession,
} from '../src/index';
import { backends, clockAt, errorOf, fixture, T0 } from './helpers';

const crypto = nodeBackend;
const clock = clockAt();
const SIGNING_LABELS = [
  LABEL_RECORD,
  LABEL_STATIC_KEY,
  LABEL_INVITE,
  LABEL_SUCCESSION,
  LABEL_REVOCATION,
] as const;
/** Labels of hashes and KDFs: a signature under one of them must never verify either. */
const OTHER_LABELS = [LABEL_PEER_ID, LABEL_SAFETY_NUMBER, LABEL_SAS];

interface Statement {
  readonly name: string;
  readonly label: string;
  /** The body of a real statement of this type. */
  readonly body: Uint8Array;
  /** Secret keys that sign it, in envelope order. */
  readonly signers: readonly Uint8Array[];
  readonly verify: (bytes: Uint8Array) => unknown;
}

function statements(alice: Identity): Statement[] {
  const bodyOf = (bytes: Uint8Array, sigs: 1 | 2) => decodeEnvelope(bytes, 8192, sigs).body;
  const { record } = createRecord(alice, { addresses: ['/ip4/10.0.0.1'] }, { clock, crypto });
  const invite = createInvite(alice, { clock, crypto, oneTimeSecret: true });
  const next = succeedIdentity(alice, { clock, crypto });
  return [
    {
      name: 'record',
      label: LABEL_RECORD,
      body: bodyOf(record, 1),
      signers: [alice.secretKey],
      verify: (b) => verifyRecord(b, { clock, crypto }),
    },
    {
      name: 'static-key certificate',
      label: LABEL_STATIC_KEY,
      body: bodyOf(alice.staticKeys[0]!.certificate, 1),
      signers: [alice.secretKey],
      verify: (b) => verifyStaticKeyCertificate(b, { clock, crypto }),
    },
    {
      name: 'invite',
      label: LABEL_INVITE,
      body: bodyOf(invite.bytes, 1),
      signers: [alice.secretKey],
      verify: (b) => verifyInvite(b, { clock, crypto }),
    },
    {
      name: 'succession',
      label: LABEL_SUCCESSION,
      body: bodyOf(next.succession, 2),
      signers: [alice.secretKey, next.identity.secretKey],
      verify: (b) => verifySuccession(b, { crypto }),
    },
    {
      name: 'revocation',
      label: LABEL_REVOCATION,
      body: bodyOf(alice.revocation, 1),
      signers: [alice.secretKey],
      verify: (b) => verifyRevocation(b, { crypto }),
    },
  ];
}

/** The statement's body signed by its own keys over `label || 0x00 || body` (or the bare body). */
function resign(s: Statement, label: string | undefined): Uint8Array {
  const message = label === undefined ? s.body : signedMessage(label, s.body);
  return encodeEnvelope(
    s.body,
    s.signers.map((k) => crypto.ed25519.sign(k, message)),
  );
}

describe('domain separation of signatures', () => {
  const all = statements(fixture('alice'));

  test('every label is distinct and NUL-free (the 0x00 after it ends it unambiguously)', () => {
    const labels = [...SIGNING_LABELS, ...OTHER_LABELS];
    expect(new Set(labels).size).toBe(labels.length);
    for (const l of labels) expect(l).toMatch(/^p2pe\/identity\/v1\/[a-z-]+$/);
  });

  test.each(all.map((s) => [s.name, s] as const))(
    'a %s signed under any other label never verifies as one',
    (_name, s) => {
      // Control: re-signed under its own label it verifies, so the checks below can fail.
      expect(() => s.verify(resign(s, s.label))).not.toThrow();
      for (const label of [...SIGNING_LABELS, ...OTHER_LABELS]) {
        if (label === s.label) continue;
        expect(errorOf(() => s.verify(resign(s, label))).code).toBe('SIGNATURE_INVALID');
      }
      // Nor a signature over the bare body, as a protocol without labels would make.
      expect(errorOf(() => s.verify(resign(s, undefined))).code).toBe('SIGNATURE_INVALID');
    },
  );

  test('a statement of one type handed to every other verifier is refused', () => {
    for (const s of all) {
      const bytes = resign(s, s.label);
      for (const other of all) {
        if (other === s) continue;
        expect(() => other.verify(bytes), `${s.name} as ${other.name}`).toThrow();
      }
    }
  });
});

describe.each(backends)('strict Ed25519 through every verifier ($name backend)', (backend) => {
  const L = 2n ** 252n + 27742317777372353535851937790883648493n;
  const le = (n: bigint) =>
    Uint8Array.from({ length: 32 }, (_, i) => Number((n >> BigInt(8 * i)) & 0xffn));
  const fromLe = (b: Uint8Array) => b.reduceRight((acc, x) => (acc << 8n) | BigInt(x), 0n);

  test('a signature with a non-canonical S (S + L) is refused', () => {
    const { record } = createRecord(fixture('alice'), {}, { clock, crypto: backend });
    const { body, signatures } = decodeEnvelope(record, 8192, 1);
    const sig = signatures[0]!;
    expect(verifyRecord(record, { clock, crypto: backend }).sequence).toBeGreaterThan(0);
    const s = fromLe(sig.subarray(32));
    const malleated = Uint8Array.from([...sig.subarray(0, 32), ...le(s + L)]);
    expect(
      errorOf(() => verifyRecord(encodeEnvelope(body, [malleated]), { clock, crypto: backend }))
        .code,
    ).toBe('SIGNATURE_INVALID');
  });

  test('a small-order identity key with the all-purpose signature (R = identity, S = 0) is refused', () => {
    // With A and R the identity point and S = 0, the permissive equation [S]B = R + [k]A holds for
    // every message: a lax verifier would accept this "signature" on any record or revocation.
    const identityPoint = new Uint8Array(32);
    identityPoint[0] = 1;
    const sig = Uint8Array.from([...identityPoint, ...new Uint8Array(32)]);
    const recordBody = new ProtoWriter()
      .uint(1, 1)
      .bytes(2, identityPoint)
      .uint(3, T0)
      .uint(4, T0 + 1000)
      .finish();
    expect(
      errorOf(() => verifyRecord(encodeEnvelope(recordBody, [sig]), { clock, crypto: backend }))
        .code,
    ).toBe('SIGNATURE_INVALID');
    const revocationBody = new ProtoWriter().uint(1, 1).bytes(2, identityPoint).finish();
    expect(
      errorOf(() => verifyRevocation(encodeEnvelope(revocationBody, [sig]), { crypto: backend }))
        .code,
    ).toBe('SIGNATURE_INVALID');
  });
});
