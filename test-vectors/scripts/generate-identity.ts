/**
 * Writes test-vectors/identity/*.json (`p2pe-identity-v1`) from fixed seeds:
 *   pnpm exec tsx test-vectors/scripts/generate-identity.ts
 * Every random input (identity and static keys, salts, nonces, invite secrets, transcript
 * hashes) is drawn from @p2pe/crypto's seeded test DRBG and written into the files, so other
 * implementations need only the files. Invalid cases that need bytes our API would never make
 * (a version 2 body, an unknown field, a succession back to an earlier key) are signed here
 * with the documented labels: Ed25519 over `label || 0x00 || body`.
 */
import { writeFileSync } from 'node:fs';
import { type CryptoBackend, deterministicRandomForTestsOnly, nobleBackend } from '@p2pe/crypto';
import {
  createIdentity,
  createInvite,
  createRecord,
  encodeIdentity,
  generateRecoveryCode,
  type Identity,
  identityCode,
  identityFromSecret,
  identityWords,
  openBackupSync,
  parseIdentityCode,
  parseIdentityWords,
  rotateStaticKeys,
  safetyNumber,
  safetyNumberHalf,
  sealBackup,
  shortAuthString,
  succeedIdentity,
  TEST_ONLY_WEAK_KDF,
  verifyRecord,
} from '@p2pe/identity';
import {
  concatBytes,
  ManualClock,
  ProtoMessage,
  ProtoWriter,
  toHex,
  utf8,
} from '@p2pe/transport-interfaces';
import {
  checkIdentityCase,
  IDENTITY_VECTOR_FORMAT,
  type IdentityVectorCase,
  type IdentityVectorFile,
  type StaticKeyVector,
} from '../src/formats/identity';

const GENERATOR = 'test-vectors/scripts/generate-identity.ts';
/** 2026-01-01T00:00:00Z */
const NOW = 1_767_225_600_000;
const DAY = 86_400_000;
const crypto: CryptoBackend = nobleBackend;
const clock = (ms = NOW) => new ManualClock(ms);
const CHARSET = 'qpzry9x8gf2tvdw0s3jn54khce6mua7l';

function file(
  name: string,
  suite: string,
  description: string,
  cases: IdentityVectorCase[],
): IdentityVectorFile {
  return {
    format: IDENTITY_VECTOR_FORMAT,
    suite,
    generator: GENERATOR,
    seed: seedOf(name),
    description,
    cases,
  };
}

function seedOf(name: string): string {
  return `p2pe/identity/v1 vectors ${name}`;
}

/** A `Signed { body, signature }` envelope signed with a documented label. */
function signed(secretKey: Uint8Array, label: string, body: Uint8Array): Uint8Array {
  const sig = crypto.ed25519.sign(secretKey, concatBytes(utf8(label), Uint8Array.of(0), body));
  return new ProtoWriter().bytes(1, body).bytes(2, sig).finish();
}

function flip(bytes: Uint8Array, bit: number): Uint8Array {
  const out = bytes.slice();
  out[bit >> 3]! ^= 1 << (bit & 7);
  return out;
}

function staticKeys(identity: Identity, now = NOW): StaticKeyVector[] {
  return identity.staticKeys
    .filter((k) => k.notAfter > now)
    .map((k) => ({
      suite: k.suite,
      publicKey: toHex(k.publicKey),
      notBefore: k.notBefore,
      notAfter: k.notAfter,
    }));
}

/** The error code and position a verifier gives for `text` (for negative code/word cases). */
function failure(
  parse: (text: string) => unknown,
  text: string,
): { error: string; position?: number } {
  try {
    parse(text);
  } catch (err) {
    const { code, position } = err as { code: string; position?: number };
    return position === undefined ? { error: code } : { error: code, position };
  }
  throw new Error(`generator: ${text} was accepted`);
}

function keysFile(): IdentityVectorFile {
  const random = deterministicRandomForTestsOnly(seedOf('keys'));
  const secrets = [
    new Uint8Array(32),
    new Uint8Array(32).fill(0xff),
    ...Array.from({ length: 6 }, () => random(32)),
  ];
  const cases: IdentityVectorCase[] = secrets.map((secretKey, i) => {
    const id = identityFromSecret(secretKey, { crypto, random, clock: clock() });
    return {
      id: `key-${i + 1}`,
      type: 'key',
      secretKey: toHex(secretKey),
      publicKey: toHex(id.publicKey),
      peerId: toHex(id.peerId),
      identityCode: identityCode(id.publicKey, { grouped: false }),
      identityCodeGrouped: identityCode(id.publicKey),
      words: identityWords(id.publicKey).join(' '),
      revocation: toHex(id.revocation),
      safetyNumberHalf: safetyNumberHalf(id.publicKey, { crypto }),
    };
  });
  return file(
    'keys',
    'Ed25519, SHA-256, bech32m, BIP-39 English word list',
    'Identity keys from their Ed25519 seeds: public key, peer id, identity code (compact and grouped), word form, revocation certificate (deterministic Ed25519 signature) and the safety-number half.',
    cases,
  );
}

function codesFile(): IdentityVectorFile {
  const random = deterministicRandomForTestsOnly(seedOf('codes'));
  const key = random(32);
  const keyHex = toHex(key);
  const code = identityCode(key, { grouped: false });
  const data = code.slice(5);
  const sub = (positions: number[]): string => {
    const chars = [...data];
    for (const p of positions) chars[p] = CHARSET[(CHARSET.indexOf(chars[p]!) + 7) % 32]!;
    return `p2pe1${chars.join('')}`;
  };
  const cases: IdentityVectorCase[] = [];
  const valid = (id: string, text: string, comment: string) =>
    cases.push({ id, type: 'code', comment, text, valid: true, publicKey: keyHex });
  const invalid = (id: string, text: string, comment: string) =>
    cases.push({
      id,
      type: 'code',
      comment,
      text,
      valid: false,
      ...failure(parseIdentityCode, text),
    });
  valid('code-compact', code, 'compact form');
  valid('code-grouped', identityCode(key), 'grouped by 4 for reading aloud');
  valid('code-upper', code.toUpperCase(), 'upper case (QR alphanumeric mode)');
  valid(
    'code-dashes',
    `${code.slice(0, 5)}-${data.match(/.{1,4}/g)!.join('-')}`,
    'dashes between groups',
  );
  valid(
    'code-look-alikes',
    `p2pe1${data.replace(/0/g, 'O').replace(/l/g, 'I').replace(/8/g, 'B')}`,
    'o→0, i→l, b→8 mapped before the checksum',
  );
  for (const p of [0, 1, 17, 30, 52, 58]) {
    invalid(`code-1-wrong-at-${p}`, sub([p]), 'one wrong character: detected, position named');
  }
  invalid('code-2-wrong', sub([3, 40]), 'two wrong characters: detected');
  invalid('code-3-wrong', sub([10, 11, 12]), 'three wrong characters: detected');
  invalid('code-4-wrong', sub([0, 20, 40, 58]), 'four wrong characters: detected');
  invalid('code-missing-char', code.slice(0, -1), 'one character missing');
  invalid('code-extra-char', `${code}q`, 'one character too many');
  invalid('code-bad-char', `p2pe1${data.slice(0, 9)}!${data.slice(10)}`, 'not in the alphabet');
  invalid('code-prefix', `p2px1${data}`, 'wrong prefix');
  invalid('code-recovery-prefix', generateRecoveryCode({ random }), 'a recovery code');
  const words = identityWords(key);
  const wordCase = (id: string, ws: string[] | string, comment: string, ok = false) => {
    const text = typeof ws === 'string' ? ws : ws.join(' ');
    if (ok) cases.push({ id, type: 'words', comment, text, valid: true, publicKey: keyHex });
    else
      cases.push({
        id,
        type: 'words',
        comment,
        text,
        valid: false,
        ...failure(parseIdentityWords, text),
      });
  };
  wordCase('words', words, '27 words', true);
  wordCase(
    'words-short-upper',
    words.map((w) => w.slice(0, 4).toUpperCase()).join(', '),
    'first 4 letters, upper case, commas',
    true,
  );
  const replace = (positions: number[]) => {
    const ws = [...words];
    for (const p of positions) ws[p] = ws[p] === 'zoo' ? 'abandon' : 'zoo';
    return ws;
  };
  wordCase('words-1-wrong-at-0', replace([0]), 'one wrong word (another word of the list)');
  wordCase('words-1-wrong-at-13', replace([13]), 'one wrong word');
  wordCase(
    'words-1-wrong-at-26',
    replace([26]),
    'one wrong word (the last, with the 2 padding bits)',
  );
  wordCase('words-2-wrong', replace([4, 20]), 'two wrong words');
  wordCase(
    'words-unknown',
    [...words.slice(0, 5), 'xylophone', ...words.slice(6)],
    'a word not in the list',
  );
  wordCase('words-missing', words.slice(1), '26 words');
  return file(
    'codes',
    'bech32m (BIP-350), BIP-39 English word list',
    'Identity codes and word forms as people type them: accepted spellings, and mistakes with the error and, for a single wrong character or word, its 0-based position (characters after "p2pe1"; words from the first).',
    cases,
  );
}

function recordsFile(): IdentityVectorFile {
  const random = deterministicRandomForTestsOnly(seedOf('records'));
  const alice = createIdentity({
    crypto,
    random,
    clock: clock(NOW - DAY),
    suites: ['25519', '448', 'P256'],
  });
  const bob = createIdentity({ crypto, random, clock: clock(NOW - DAY) });
  const cases: IdentityVectorCase[] = [];
  const content = {
    addresses: ['/ip4/192.0.2.1/tcp/4001', '/ip6/2001:db8::1/udp/4001/quic'],
    relays: [random(34)],
    suites: ['Noise_IK_25519_ChaChaPoly_SHA256', 'Noise_XX_25519_ChaChaPoly_SHA256'],
  };
  const r1 = createRecord(alice, content, { crypto, clock: clock() });
  const r2 = createRecord(
    r1.identity,
    { addresses: content.addresses },
    { crypto, clock: clock(NOW + 60_000) },
  );
  const minimal = createRecord(bob, { ttlMs: 3_600_000 }, { crypto, clock: clock() });
  const rotated = rotateStaticKeys(bob, { crypto, random, clock: clock(NOW + 1000) });
  const r3 = createRecord(rotated, {}, { crypto, clock: clock(NOW + 2000) });
  const validRecord = (
    id: string,
    comment: string,
    record: Uint8Array,
    now: number,
    who: Identity,
  ) => {
    const v = verifyRecord(record, { crypto, clock: clock(now) });
    cases.push({
      id,
      type: 'record',
      comment,
      record: toHex(record),
      now,
      valid: true,
      identityKey: toHex(who.publicKey),
      peerId: toHex(who.peerId),
      sequence: v.sequence,
      expiresAt: v.expiresAt,
      staticKeys: staticKeys(who, now),
      suites: [...v.suites],
      addresses: [...v.addresses],
      relays: v.relays.map(toHex),
    });
  };
  const invalidRecord = (
    id: string,
    comment: string,
    record: Uint8Array,
    error: string,
    extra: { now?: number; previous?: Uint8Array; revocations?: Uint8Array[] } = {},
  ) =>
    cases.push({
      id,
      type: 'record',
      comment,
      record: toHex(record),
      now: extra.now ?? NOW + 120_000,
      ...(extra.previous === undefined ? {} : { previous: toHex(extra.previous) }),
      ...(extra.revocations === undefined ? {} : { revocations: extra.revocations.map(toHex) }),
      valid: false,
      error,
    });
  validRecord(
    'record-full',
    'three suites, addresses, a relay, Noise suites',
    r1.record,
    NOW,
    alice,
  );
  validRecord('record-next', 'the next record: higher sequence', r2.record, NOW + 60_000, alice);
  validRecord(
    'record-minimal',
    'one static key, nothing else, 1 hour TTL',
    minimal.record,
    NOW,
    bob,
  );
  validRecord(
    'record-rotated',
    'two X25519 keys during a rotation',
    r3.record,
    NOW + 2000,
    rotated,
  );
  cases.push({
    ...(cases.at(-3) as IdentityVectorCase & { type: 'record' }),
    id: 'record-newer-than-previous',
    comment: 'a newer record replaces an older one',
    previous: toHex(r1.record),
    now: NOW + 60_000,
  } as IdentityVectorCase);
  // The envelope is not signed: a relay may re-encode it (here the body's length varint padded
  // to 3 bytes). Same body, same signature: the same record, not a reused sequence number.
  const r1Envelope = ProtoMessage.decode(r1.record, 8192);
  const r1Body = r1Envelope.requiredBytes(1);
  const n = r1Body.length; // < 2^14: two 7-bit groups, then a padding 0x00
  const reencoded = concatBytes(
    Uint8Array.of(0x0a, (n & 0x7f) | 0x80, ((n >> 7) & 0x7f) | 0x80, 0x00),
    r1Body,
    Uint8Array.of(0x12, 64),
    r1Envelope.requiredBytes(2),
  );
  cases.push({
    ...(cases.find((c) => c.id === 'record-full') as IdentityVectorCase & { type: 'record' }),
    id: 'record-reencoded-envelope-same-sequence',
    comment:
      'record-full again with its unsigned envelope re-encoded (body length as a padded 3-byte varint), record-full held: the same statement, accepted',
    record: toHex(reencoded),
    previous: toHex(r1.record),
    now: NOW,
  } as IdentityVectorCase);
  invalidRecord('record-stale', 'older than the record held', r1.record, 'RECORD_STALE', {
    previous: r2.record,
  });
  const reused = createRecord(
    alice,
    { addresses: ['/ip4/198.51.100.7/tcp/1'] },
    { crypto, clock: clock() },
  );
  invalidRecord(
    'record-sequence-reused',
    'same sequence, other content',
    reused.record,
    'RECORD_SEQUENCE_REUSED',
    {
      previous: r1.record,
      now: NOW,
    },
  );
  invalidRecord('record-expired', 'now = expiresAt', minimal.record, 'RECORD_EXPIRED', {
    now: NOW + 3_600_000,
  });
  invalidRecord(
    'record-ttl-too-long',
    'expires more than 7 days (+5 min) after now',
    r1.record,
    'RECORD_TTL_TOO_LONG',
    {
      now: NOW - 7 * DAY,
    },
  );
  invalidRecord('record-revoked', 'signed by a revoked key', r1.record, 'IDENTITY_REVOKED', {
    now: NOW,
    revocations: [alice.revocation],
  });
  const sigBit = (r1.record.length - 10) * 8;
  invalidRecord(
    'record-signature-bit',
    'one bit of the signature flipped',
    flip(r1.record, sigBit),
    'SIGNATURE_INVALID',
    { now: NOW },
  );
  invalidRecord(
    'record-body-bit',
    'one bit of the sequence flipped',
    flip(r1.record, 8 * 40 + 1),
    'SIGNATURE_INVALID',
    {
      now: NOW,
    },
  );
  const body = (fields: (w: ProtoWriter) => ProtoWriter) => fields(new ProtoWriter()).finish();
  const v2 = body((w) =>
    w
      .uint(1, 2)
      .bytes(2, bob.publicKey)
      .uint(3, NOW)
      .uint(4, NOW + DAY),
  );
  invalidRecord(
    'record-version-2',
    'version 2 (signed)',
    signed(bob.secretKey, 'p2pe/identity/v1/record', v2),
    'UNSUPPORTED_VERSION',
    {
      now: NOW,
    },
  );
  const unknown = body((w) =>
    w
      .uint(1, 1)
      .bytes(2, bob.publicKey)
      .uint(3, NOW)
      .uint(4, NOW + DAY)
      .uint(9, 1),
  );
  invalidRecord(
    'record-unknown-field',
    'field 9 (signed)',
    signed(bob.secretKey, 'p2pe/identity/v1/record', unknown),
    'DECODE_UNKNOWN_FIELD',
    {
      now: NOW,
    },
  );
  const noExpiry = body((w) => w.uint(1, 1).bytes(2, bob.publicKey).uint(3, NOW));
  invalidRecord(
    'record-missing-expiry',
    'no expires_at (signed)',
    signed(bob.secretKey, 'p2pe/identity/v1/record', noExpiry),
    'DECODE_MISSING_FIELD',
    {
      now: NOW,
    },
  );
  const good = body((w) =>
    w
      .uint(1, 1)
      .bytes(2, bob.publicKey)
      .uint(3, NOW)
      .uint(4, NOW + DAY),
  );
  invalidRecord(
    'record-wrong-label',
    'signed as an invite',
    signed(bob.secretKey, 'p2pe/identity/v1/invite', good),
    'SIGNATURE_INVALID',
    {
      now: NOW,
    },
  );
  invalidRecord(
    'record-truncated',
    'last byte missing',
    r1.record.subarray(0, -1),
    'DECODE_TRUNCATED',
    { now: NOW },
  );
  invalidRecord('record-too-large', '8193 bytes', new Uint8Array(8193), 'DECODE_TOO_LARGE', {
    now: NOW,
  });

  // Static-key certificates (one per suite) and their failures.
  for (const k of alice.staticKeys) {
    cases.push({
      id: `certificate-${k.suite}`,
      type: 'static-key-certificate',
      certificate: toHex(k.certificate),
      now: NOW,
      valid: true,
      identityKey: toHex(alice.publicKey),
      suite: k.suite,
      publicKey: toHex(k.publicKey),
      notBefore: k.notBefore,
      notAfter: k.notAfter,
    });
  }
  const cert = alice.staticKeys[0]!;
  const certCase = (id: string, comment: string, bytes: Uint8Array, now: number, error: string) =>
    cases.push({
      id,
      type: 'static-key-certificate',
      comment,
      certificate: toHex(bytes),
      now,
      valid: false,
      error,
    });
  certCase(
    'certificate-expired',
    'now = notAfter',
    cert.certificate,
    cert.notAfter,
    'STATIC_KEY_EXPIRED',
  );
  certCase(
    'certificate-not-yet-valid',
    'now more than 5 minutes before notBefore',
    cert.certificate,
    cert.notBefore - 300_001,
    'STATIC_KEY_NOT_YET_VALID',
  );
  const certBody = (notAfter: number) =>
    body((w) =>
      w
        .uint(1, 1)
        .bytes(2, alice.publicKey)
        .message(
          3,
          new ProtoWriter()
            .string(1, cert.suite)
            .bytes(2, cert.publicKey)
            .uint(3, NOW)
            .uint(4, notAfter)
            .finish(),
        ),
    );
  certCase(
    'certificate-lifetime-too-long',
    'valid for 366 days + 1 ms (signed): longer than any certificate may vouch for a key',
    signed(alice.secretKey, 'p2pe/identity/v1/static-key', certBody(NOW + 366 * DAY + 1)),
    NOW,
    'STATIC_KEY_LIFETIME_TOO_LONG',
  );
  certCase(
    'certificate-wrong-label',
    'a valid certificate body signed with the record label',
    signed(alice.secretKey, 'p2pe/identity/v1/record', certBody(NOW + DAY)),
    NOW,
    'SIGNATURE_INVALID',
  );
  certCase(
    'certificate-bit',
    'a bit of the static key flipped',
    flip(cert.certificate, 8 * 60),
    NOW,
    'SIGNATURE_INVALID',
  );
  return file(
    'records',
    'Ed25519; static keys X25519, X448, P-256',
    'Signed identity records and static-key certificates: valid ones with every field, and refusals (stale, reused sequence, expired, too long a life, revoked, tampered, version, unknown field, wrong label, truncated, too large).',
    cases,
  );
}

function invitesFile(): IdentityVectorFile {
  const random = deterministicRandomForTestsOnly(seedOf('invites'));
  const alice = createIdentity({ crypto, random, clock: clock() });
  const cases: IdentityVectorCase[] = [];
  const plain = createInvite(alice, { crypto, random, clock: clock() });
  const full = createInvite(alice, {
    crypto,
    random,
    clock: clock(),
    addresses: ['/ip4/192.0.2.1/tcp/4001'],
    oneTimeSecret: true,
    ttlMs: DAY,
  });
  for (const [id, inv, addresses, expiresAt] of [
    ['invite-plain', plain, [] as string[], NOW + 7 * DAY],
    ['invite-full', full, ['/ip4/192.0.2.1/tcp/4001'], NOW + DAY],
  ] as const) {
    cases.push({
      id,
      type: 'invite',
      invite: toHex(inv.bytes),
      uri: inv.uri,
      now: NOW,
      valid: true,
      identityKey: toHex(alice.publicKey),
      peerId: toHex(alice.peerId),
      expiresAt,
      addresses: [...addresses],
      ...(inv.secret === undefined ? {} : { secret: toHex(inv.secret) }),
    });
  }
  cases.push({
    id: 'invite-qr-text',
    type: 'invite',
    comment: 'upper-case URI as in a QR code',
    uri: full.qrText,
    now: NOW,
    valid: true,
    identityKey: toHex(alice.publicKey),
    peerId: toHex(alice.peerId),
    expiresAt: NOW + DAY,
    addresses: ['/ip4/192.0.2.1/tcp/4001'],
    secret: toHex(full.secret!),
  });
  const typo = full.uri.slice(0, 40) + (full.uri[40] === 'q' ? 'p' : 'q') + full.uri.slice(41);
  const bad = (
    id: string,
    comment: string,
    form: { invite?: Uint8Array; uri?: string },
    error: string,
    now = NOW,
    revocations?: Uint8Array[],
  ) =>
    cases.push({
      id,
      type: 'invite',
      comment,
      ...(form.invite === undefined ? {} : { invite: toHex(form.invite) }),
      ...(form.uri === undefined ? {} : { uri: form.uri }),
      now,
      ...(revocations === undefined ? {} : { revocations: revocations.map(toHex) }),
      valid: false,
      error,
    });
  bad('invite-expired', 'now = expiresAt', { invite: full.bytes }, 'INVITE_EXPIRED', NOW + DAY);
  bad(
    'invite-ttl-too-long',
    'expires more than 366 days (+5 min) after now',
    { invite: full.bytes },
    'INVITE_TTL_TOO_LONG',
    NOW + DAY - 366 * DAY - 600_000,
  );
  bad('invite-uri-typo', 'one character of the link changed', { uri: typo }, 'INVITE_CHECKSUM');
  bad('invite-not-p2pe', 'another scheme', { uri: 'https://example.org/' }, 'INVITE_URI');
  bad(
    'invite-bit',
    'one bit of the secret flipped',
    // Inside the secret, the last field of the body (a 1-byte body length at offset 1).
    { invite: flip(full.bytes, 8 * (2 + full.bytes[1]! - 5)) },
    'SIGNATURE_INVALID',
  );
  bad(
    'invite-revoked',
    'signed by a revoked key',
    { invite: plain.bytes },
    'IDENTITY_REVOKED',
    NOW,
    [alice.revocation],
  );
  return file(
    'invites',
    'Ed25519, bech32m',
    'Invites as bytes, as p2pe: links and as QR text (upper case), with optional addresses and one-time secret; and refusals.',
    cases,
  );
}

function safetyFile(): IdentityVectorFile {
  const random = deterministicRandomForTestsOnly(seedOf('safety'));
  const keys = Array.from(
    { length: 4 },
    () => crypto.ed25519.keyPairFromSecret(random(32)).publicKey,
  );
  const cases: IdentityVectorCase[] = [];
  const pairs: [number, number][] = [
    [0, 1],
    [2, 3],
    [0, 3],
    [1, 1],
  ];
  for (const [a, b] of pairs) {
    cases.push({
      id: `safety-${a}-${b}`,
      type: 'safety-number',
      identityKeyA: toHex(keys[a]!),
      identityKeyB: toHex(keys[b]!),
      safetyNumber: safetyNumber(keys[a]!, keys[b]!, { crypto }),
    });
  }
  for (const [length, words] of [
    [32, 3],
    [32, 5],
    [64, 5],
    [32, 8],
  ] as const) {
    const h = random(length);
    cases.push({
      id: `sas-${length}-${words}`,
      type: 'sas',
      transcriptHash: toHex(h),
      words,
      sas: shortAuthString(h, { crypto, words }).join(' '),
    });
  }
  return file(
    'safety',
    'SHA-512 (5200 iterations), HKDF-SHA256, BIP-39 English word list',
    'Safety numbers of pairs of identity keys (the same from both sides) and short authentication strings of transcript hashes.',
    cases,
  );
}

function successionFile(): IdentityVectorFile {
  const random = deterministicRandomForTestsOnly(seedOf('succession'));
  const a = createIdentity({ crypto, random, clock: clock() });
  const b = succeedIdentity(a, { crypto, random, clock: clock() });
  const c = succeedIdentity(b.identity, { crypto, random, clock: clock() });
  const cases: IdentityVectorCase[] = [];
  const hex = toHex;
  cases.push({
    id: 'succession',
    type: 'succession',
    succession: hex(b.succession),
    valid: true,
    oldKey: hex(a.publicKey),
    newKey: hex(b.identity.publicKey),
  });
  const bad = (
    id: string,
    comment: string,
    bytes: Uint8Array,
    error: string,
    revocations?: Uint8Array[],
  ) =>
    cases.push({
      id,
      type: 'succession',
      comment,
      succession: hex(bytes),
      ...(revocations === undefined ? {} : { revocations: revocations.map(hex) }),
      valid: false,
      error,
    });
  const s = b.succession;
  bad(
    'succession-old-signature-bit',
    'bit of the old-key signature',
    flip(s, (s.length - 100) * 8),
    'SIGNATURE_INVALID',
  );
  bad(
    'succession-new-signature-bit',
    'bit of the new-key signature',
    flip(s, (s.length - 10) * 8),
    'SIGNATURE_INVALID',
  );
  const swapped = s.slice();
  swapped.set(s.subarray(s.length - 130, s.length - 66), s.length - 64);
  bad(
    'succession-claims-other-key',
    'new-key signature replaced by the old one',
    swapped,
    'SIGNATURE_INVALID',
  );
  bad('succession-old-revoked', 'old key revoked', s, 'IDENTITY_REVOKED', [a.revocation]);
  bad('succession-new-revoked', 'new key revoked', s, 'IDENTITY_REVOKED', [b.identity.revocation]);
  const sameBody = new ProtoWriter()
    .uint(1, 1)
    .bytes(2, a.publicKey)
    .bytes(3, a.publicKey)
    .finish();
  const sig = (secret: Uint8Array, body: Uint8Array) =>
    crypto.ed25519.sign(
      secret,
      concatBytes(utf8('p2pe/identity/v1/succession'), Uint8Array.of(0), body),
    );
  const envelope2 = (body: Uint8Array, s1: Uint8Array, s2: Uint8Array) =>
    new ProtoWriter().bytes(1, body).bytes(2, s1).bytes(3, s2).finish();
  bad(
    'succession-same-key',
    'old key = new key (signed twice)',
    envelope2(sameBody, sig(a.secretKey, sameBody), sig(a.secretKey, sameBody)),
    'SUCCESSION_SAME_KEY',
  );
  // A chain and its failures.
  const chain = [b.succession, c.succession];
  const chainCase = (
    id: string,
    comment: string,
    trusted: Uint8Array,
    links: Uint8Array[],
    outcome: { result: Uint8Array } | { error: string },
    revocations?: Uint8Array[],
  ) =>
    cases.push({
      id,
      type: 'succession-chain',
      comment,
      trustedKey: hex(trusted),
      chain: links.map(hex),
      ...(revocations === undefined ? {} : { revocations: revocations.map(hex) }),
      ...('result' in outcome
        ? { valid: true as const, result: hex(outcome.result) }
        : { valid: false as const, error: outcome.error }),
    });
  chainCase('chain-2', 'two successions', a.publicKey, chain, { result: c.identity.publicKey });
  chainCase('chain-empty', 'no succession', a.publicKey, [], { result: a.publicKey });
  chainCase(
    'chain-from-middle',
    'a contact that already followed the first',
    b.identity.publicKey,
    [c.succession],
    { result: c.identity.publicKey },
  );
  chainCase('chain-broken', 'second step skipped', a.publicKey, [c.succession], {
    error: 'SUCCESSION_CHAIN_BROKEN',
  });
  chainCase('chain-reordered', 'steps out of order', a.publicKey, [c.succession, b.succession], {
    error: 'SUCCESSION_CHAIN_BROKEN',
  });
  const backBody = new ProtoWriter()
    .uint(1, 1)
    .bytes(2, b.identity.publicKey)
    .bytes(3, a.publicKey)
    .finish();
  const back = envelope2(backBody, sig(b.identity.secretKey, backBody), sig(a.secretKey, backBody));
  chainCase('chain-loop', 'returns to the first key', a.publicKey, [b.succession, back], {
    error: 'SUCCESSION_LOOP',
  });
  chainCase(
    'chain-revoked-middle',
    'the middle key is revoked',
    a.publicKey,
    chain,
    { error: 'IDENTITY_REVOKED' },
    [b.identity.revocation],
  );
  // Revocations.
  cases.push({
    id: 'revocation',
    type: 'revocation',
    revocation: hex(a.revocation),
    valid: true,
    identityKey: hex(a.publicKey),
  });
  cases.push({
    id: 'revocation-bit',
    type: 'revocation',
    comment: 'bit of the key flipped',
    revocation: hex(flip(a.revocation, 8 * 8)),
    valid: false,
    error: 'SIGNATURE_INVALID',
  });
  const certAsRevocation = a.staticKeys[0]!.certificate;
  cases.push({
    id: 'revocation-is-not-a-certificate',
    type: 'revocation',
    comment: 'a static-key certificate is not a revocation',
    revocation: hex(certAsRevocation),
    valid: false,
    error: 'DECODE_UNKNOWN_FIELD',
  });
  return file(
    'succession',
    'Ed25519',
    'Successions (old key and new key both sign), chains of them, and revocation certificates; a revoked key makes every statement it signed fail.',
    cases,
  );
}

async function backupsFile(): Promise<IdentityVectorFile> {
  const random = deterministicRandomForTestsOnly(seedOf('backups'));
  const alice = createIdentity({
    crypto,
    random,
    clock: clock(),
    suites: ['25519', '448', 'P256'],
  });
  const withRecord = createRecord(alice, {}, { crypto, clock: clock() }).identity;
  const next = succeedIdentity(withRecord, { crypto, random, clock: clock() }).identity;
  const code = generateRecoveryCode({ random });
  const appState = utf8('app state: 3 conversations');
  const byCode = await sealBackup(withRecord, { recoveryCode: code }, { crypto, random, appState });
  const byPassphrase = await sealBackup(
    next,
    { passphrase: 'correct horse battery staple', kdf: TEST_ONLY_WEAK_KDF },
    { crypto, random },
  );
  const byScrypt = await sealBackup(
    withRecord,
    { passphrase: 'p\u00e4ssw\u00f6rd', kdf: { name: 'scrypt', logN: 4, r: 8, p: 1 } },
    { crypto, random },
  );
  const cases: IdentityVectorCase[] = [];
  const ok = (
    id: string,
    comment: string,
    backup: Uint8Array,
    secret: { recoveryCode: string } | { passphrase: string },
    who: Identity,
    state: Uint8Array,
  ) =>
    cases.push({
      id,
      type: 'backup',
      comment,
      backup: toHex(backup),
      ...secret,
      valid: true,
      identityState: toHex(encodeIdentity(who)),
      publicKey: toHex(who.publicKey),
      appState: toHex(state),
    });
  ok(
    'backup-recovery-code',
    'recovery code (HKDF only), with app state',
    byCode,
    { recoveryCode: code },
    withRecord,
    appState,
  );
  ok(
    'backup-argon2id',
    'argon2id m=64 KiB t=1 p=1 (TEST-ONLY parameters), a succeeded identity',
    byPassphrase,
    { passphrase: 'correct horse battery staple' },
    next,
    new Uint8Array(0),
  );
  ok(
    'backup-scrypt-nfkc',
    'scrypt N=16 r=8 p=1 (TEST-ONLY), passphrase given decomposed (NFKC applies)',
    byScrypt,
    { passphrase: 'pa\u0308sswo\u0308rd' },
    withRecord,
    new Uint8Array(0),
  );
  const bad = (
    id: string,
    comment: string,
    backup: Uint8Array,
    secret: { recoveryCode: string } | { passphrase: string },
    error: string,
    position?: number,
  ) =>
    cases.push({
      id,
      type: 'backup',
      comment,
      backup: toHex(backup),
      ...secret,
      valid: false,
      error,
      ...(position === undefined ? {} : { position }),
    });
  const otherCode = generateRecoveryCode({ random });
  bad(
    'backup-wrong-code',
    'another recovery code',
    byCode,
    { recoveryCode: otherCode },
    'BACKUP_AUTH_FAILED',
  );
  bad(
    'backup-wrong-passphrase',
    'another passphrase',
    byPassphrase,
    { passphrase: 'correct horse battery stapler' },
    'BACKUP_AUTH_FAILED',
  );
  bad(
    'backup-ciphertext-bit',
    'a bit of the ciphertext flipped',
    flip(byCode, byCode.length * 8 - 200),
    { recoveryCode: code },
    'BACKUP_AUTH_FAILED',
  );
  bad(
    'backup-nonce-bit',
    'a bit of the nonce (in the header) flipped',
    flip(byCode, 8 * 30),
    { recoveryCode: code },
    'BACKUP_AUTH_FAILED',
  );
  bad(
    'backup-secret-kind',
    'a passphrase for a recovery-code backup',
    byCode,
    { passphrase: code },
    'BACKUP_SECRET_KIND',
  );
  // A crafted header asking for argon2id with 1 GiB and 16 passes (minutes of work): refused by
  // the default limits before the KDF runs. The ciphertext is never reached.
  const costlyHeader = new ProtoWriter()
    .uint(1, 1)
    .uint(2, 2)
    .bytes(3, random(16))
    .uint(4, 1 << 20)
    .uint(5, 16)
    .uint(6, 1)
    .bytes(7, random(24))
    .finish();
  bad(
    'backup-kdf-too-costly',
    'header asks for argon2id m = 1 GiB, t = 16: beyond the default limits (memory ≤ 256 MiB, t ≤ 8, memory × t ≤ 1 GiB)',
    new ProtoWriter().bytes(1, costlyHeader).bytes(2, random(64)).finish(),
    { passphrase: 'correct horse battery staple' },
    'BACKUP_KDF_TOO_COSTLY',
  );
  const compact = code.replace(/ /g, '');
  const typo = `${compact.slice(0, 10)}${compact[10] === 'q' ? 'p' : 'q'}${compact.slice(11)}`;
  const typoFailure = failure((t) => openBackupSync(byCode, { recoveryCode: t }, { crypto }), typo);
  bad(
    'backup-code-typo',
    'one character of the recovery code mistyped',
    byCode,
    { recoveryCode: typo },
    typoFailure.error,
    typoFailure.position,
  );
  return file(
    'backups',
    'XChaCha20-Poly1305, HKDF-SHA256, argon2id, scrypt',
    'Encrypted backups under a recovery code or a passphrase, with the identity state they restore (storage.proto IdentityState); and refusals. Passphrase cases use TEST-ONLY weak KDF parameters so they run fast; the format is the same with the defaults.',
    cases,
  );
}

/** Every case must pass our own verifier as written (an invalid case with the intended error). */
function selfChecked(json: IdentityVectorFile): IdentityVectorFile {
  for (const c of json.cases) {
    try {
      checkIdentityCase(c, crypto);
    } catch (err) {
      throw new Error(`generator: case ${c.id} does not verify: ${(err as Error).message}`);
    }
  }
  return json;
}

export async function generateIdentityVectors(): Promise<Record<string, IdentityVectorFile>> {
  const files = {
    'keys.json': keysFile(),
    'codes.json': codesFile(),
    'records.json': recordsFile(),
    'invites.json': invitesFile(),
    'safety.json': safetyFile(),
    'succession.json': successionFile(),
    'backups.json': await backupsFile(),
  };
  for (const json of Object.values(files)) selfChecked(json);
  return files;
}

if (import.meta.url === `file://${process.argv[1]}`) {
  const files = await generateIdentityVectors();
  for (const [name, json] of Object.entries(files)) {
    writeFileSync(
      new URL(`../identity/${name}`, import.meta.url),
      `${JSON.stringify(json, null, 2)}\n`,
    );
    console.log(`wrote ${name}`);
  }
}
