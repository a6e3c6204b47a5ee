/**
 * A corpus of wrong inputs fed to every export that reads outside data: each must throw a
 * P2peError with a stable SCREAMING_SNAKE code and a message that carries no key bytes, no
 * secrets and no user text. Set P2PE_PRINT_ERRORS=1 to print every message for review.
 */
import { P2peError, toHex } from '@p2pe/transport-interfaces';
import { expect, test } from 'vitest';
import {
  createInvite,
  createRecord,
  decodeIdentity,
  encodeIdentity,
  followSuccessions,
  identityCode,
  identityWords,
  openBackup,
  parseIdentityCode,
  parseIdentityWords,
  parseInviteUri,
  pickStaticKey,
  RevocationList,
  sealBackup,
  shortAuthString,
  succeedIdentity,
  TEST_ONLY_WEAK_KDF,
  verifyInvite,
  verifyRecord,
  verifyRevocation,
  verifyStaticKeyCertificate,
  verifySuccession,
} from '../src/index';
import { clockAt, fixture, flipBit, T0 } from './helpers';

const USER_TEXT = 'secret-address-of-alice';
const PASSPHRASE = 'my passphrase is long';

test('every error has a code and a message without keys, secrets or user text', async () => {
  const alice = fixture('alice');
  const bob = fixture('bob');
  const clock = clockAt();
  const { record } = createRecord(alice, { addresses: [USER_TEXT] }, { clock });
  const invite = createInvite(alice, { clock, addresses: [USER_TEXT], oneTimeSecret: true });
  const { succession } = succeedIdentity(alice, { clock });
  const revoked = new RevocationList();
  revoked.add(alice.revocation);
  const backup = await sealBackup(alice, { passphrase: PASSPHRASE, kdf: TEST_ONLY_WEAK_KDF });
  const code = identityCode(alice.publicKey, { grouped: false });
  const words = identityWords(alice.publicKey);
  const attempts: (() => unknown)[] = [
    () => verifyRecord(record, { clock: clockAt(T0 + 10 * 86_400_000) }),
    () => verifyRecord(record, { clock, revocations: revoked }),
    () => verifyRecord(record, { clock, identityKey: bob.publicKey }),
    () => verifyRecord(flipBit(record, 300), { clock }),
    () => verifyRecord(record.subarray(0, 50), { clock }),
    () => verifyRecord(new Uint8Array(9000), { clock }),
    () => verifyInvite(flipBit(invite.bytes, 200), { clock }),
    () => verifyInvite(invite.bytes, { clock: clockAt(T0 + 8 * 86_400_000) }),
    () => parseInviteUri(`p2pe:inv1${USER_TEXT}`),
    () => parseInviteUri(USER_TEXT),
    () => verifySuccession(flipBit(succession, 900)),
    () => followSuccessions(bob.publicKey, [succession]),
    () => verifyRevocation(flipBit(alice.revocation, 100)),
    () => verifyStaticKeyCertificate(alice.staticKeys[0]!.certificate, { clock: clockAt(0) }),
    () =>
      verifyStaticKeyCertificate(alice.staticKeys[0]!.certificate, {
        clock,
        staticKey: bob.staticKeys[0]!.publicKey,
      }),
    () => decodeIdentity(flipBit(encodeIdentity(alice), 20)),
    () => parseIdentityCode(code.slice(0, 20) + (code[20] === 'q' ? 'p' : 'q') + code.slice(21)),
    () => parseIdentityCode(USER_TEXT),
    () => parseIdentityWords([...words.slice(0, 3), USER_TEXT, ...words.slice(4)]),
    () => parseIdentityWords(words.slice(0, 20)),
    () => shortAuthString(new Uint8Array(5)),
    () => identityCode(new Uint8Array(5)),
    () => verifyRecord(record, { clock, peerId: bob.peerId }),
    () => pickStaticKey(verifyRecord(record, { clock }), '25519', { clock, revocations: revoked }),
    () => createInvite(alice, { clock, addresses: ['x'.repeat(1025)] }),
  ];
  const messages: string[] = [];
  const check = (e: unknown) => {
    expect(P2peError.is(e)).toBe(true);
    const err = e as P2peError;
    expect(err.code).toMatch(/^[A-Z][A-Z0-9_]+$/);
    expect(err.message.length).toBeGreaterThan(10);
    for (const secret of [
      alice.publicKey,
      alice.secretKey,
      bob.publicKey,
      alice.staticKeys[0]!.secretKey,
    ]) {
      expect(err.message).not.toContain(toHex(secret).slice(0, 16));
    }
    expect(err.message).not.toMatch(/[0-9a-f]{16}/);
    expect(err.message).not.toContain(USER_TEXT);
    expect(err.message).not.toContain(PASSPHRASE);
    expect(err.message).not.toContain(code.slice(5, 15));
    messages.push(`${err.name} ${err.code}: ${err.message}`);
  };
  for (const attempt of attempts) {
    try {
      attempt();
      expect.fail('expected an error');
    } catch (e) {
      check(e);
    }
  }
  for (const attempt of [
    () => openBackup(backup, { passphrase: `${PASSPHRASE}!` }),
    () => openBackup(backup, { recoveryCode: USER_TEXT }),
    () => openBackup(flipBit(backup, 40), { passphrase: PASSPHRASE }),
    () =>
      sealBackup(alice, {
        passphrase: PASSPHRASE,
        kdf: { name: 'argon2id', memoryKiB: 1 << 20, iterations: 16, parallelism: 1 },
      }),
  ]) {
    await attempt().then(
      () => expect.fail('expected an error'),
      (e: unknown) => check(e),
    );
  }
  expect(messages).toHaveLength(attempts.length + 4);
  if (process.env.P2PE_PRINT_ERRORS) console.log(messages.join('\n'));
});
