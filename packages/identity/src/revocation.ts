/**
 * Revocation certificates (identity.proto `RevocationBody`):
 *
 *   message RevocationBody { uint32 version = 1; bytes identity_key = 2; }
 *
 * carried as `Signed { body, signature }` with context `p2pe/identity/v1/revocation`, signed by
 * the key it revokes. It is made together with the identity (so it exists even after the key is
 * lost) and kept offline by the owner. Once published, verifiers store it (a `RevocationList`)
 * and every later use of the key fails: records, invites, static-key certificates and
 * successions signed by it throw VerificationError `IDENTITY_REVOKED`. A revocation is final and
 * has no date: timestamps inside signed data are chosen by whoever holds the key, an attacker
 * included, so "revoked after T" cannot be enforced.
 */
import {
  DecodeError,
  LimitError,
  ProtoMessage,
  ProtoWriter,
  toHex,
} from '@p2pe/transport-interfaces';
import {
  backendOf,
  type CryptoOptions,
  checkKeyArgument,
  checkVersion,
  copy,
  type RevocationChecker,
  verifyWith,
} from './common';
import {
  FORMAT_VERSION,
  IDENTITY_KEY_LENGTH,
  LABEL_REVOCATION,
  MAX_REVOCATION_BYTES,
  MAX_REVOCATION_LIST_ENTRIES,
} from './constants';
import { openStatement, type StatementKind, signStatement } from './envelope';

const REVOCATION: StatementKind = {
  label: LABEL_REVOCATION,
  maxBytes: MAX_REVOCATION_BYTES,
  maxFields: 4,
  fields: [1, 2],
  what: 'revocation',
};

/** Signs the revocation certificate of `publicKey`. Internal: `createIdentity` makes it. */
export function signRevocation(
  secretKey: Uint8Array,
  publicKey: Uint8Array,
  options?: CryptoOptions,
): Uint8Array {
  const body = new ProtoWriter().uint(1, FORMAT_VERSION).bytes(2, publicKey).finish();
  return signStatement(backendOf(options), REVOCATION, secretKey, body);
}

/**
 * Verifies a revocation certificate and returns the identity key it revokes.
 * Errors: DecodeError/LimitError for malformed bytes; VerificationError `SIGNATURE_INVALID`.
 */
export function verifyRevocation(bytes: Uint8Array, options?: CryptoOptions): Uint8Array {
  const { body, signatures, msg } = openStatement(bytes, REVOCATION);
  const identityKey = copy(msg.requiredBytes(2, { length: IDENTITY_KEY_LENGTH }));
  // Not `checkSignedBy`: a revocation is signed by the very key it revokes, so a revocation
  // list must not refuse it, and there is no other key to expect.
  verifyWith(backendOf(options), identityKey, REVOCATION.label, body, signatures[0]!, 'revocation');
  return identityKey;
}

/**
 * The revocations a verifier knows: add every certificate it learns of (from the DHT, from a
 * contact, from its owner) and pass the list as `revocations` to every verify function.
 * Serialises to versioned bytes (storage.proto `RevocationListState`) to survive restarts.
 */
export class RevocationList implements RevocationChecker {
  readonly #entries = new Map<string, Uint8Array>();

  /** Verifies `certificate` and stores it; returns the revoked identity key. Idempotent. */
  add(certificate: Uint8Array, options?: CryptoOptions): Uint8Array {
    const key = verifyRevocation(certificate, options);
    const id = toHex(key);
    if (!this.#entries.has(id)) {
      if (this.#entries.size >= MAX_REVOCATION_LIST_ENTRIES) {
        throw new LimitError(
          'REVOCATION_LIST_FULL',
          `revocation list holds ${MAX_REVOCATION_LIST_ENTRIES} entries`,
        );
      }
      this.#entries.set(id, copy(certificate));
    }
    return key;
  }

  isRevoked(identityKey: Uint8Array): boolean {
    checkKeyArgument(identityKey, 'identityKey');
    return this.#entries.has(toHex(identityKey));
  }

  get size(): number {
    return this.#entries.size;
  }

  /** The stored certificates (to pass on to others), in insertion order. */
  certificates(): Uint8Array[] {
    return [...this.#entries.values()].map(copy);
  }

  /** `message RevocationListState { uint32 version = 1; repeated bytes certificates = 2; }` */
  encode(): Uint8Array {
    const w = new ProtoWriter().uint(1, FORMAT_VERSION);
    for (const cert of this.#entries.values()) w.bytes(2, cert);
    return w.finish();
  }

  /** Reads `encode()` output back, verifying every certificate again. */
  static decode(bytes: Uint8Array, options?: CryptoOptions): RevocationList {
    const maxBytes = MAX_REVOCATION_LIST_ENTRIES * (MAX_REVOCATION_BYTES + 3) + 16;
    const msg = ProtoMessage.decode(bytes, maxBytes, MAX_REVOCATION_LIST_ENTRIES + 1);
    checkVersion(msg.requiredUint(1), FORMAT_VERSION, 'revocation list');
    msg.assertKnown([1, 2]);
    const list = new RevocationList();
    for (const cert of msg.repeatedBytes(2, MAX_REVOCATION_LIST_ENTRIES, {
      maxLength: MAX_REVOCATION_BYTES,
    })) {
      try {
        list.add(cert, options);
      } catch (cause) {
        throw new DecodeError('INVALID_REVOCATION_LIST', 'revocation list holds a bad entry', {
          cause,
        });
      }
    }
    return list;
  }

  toJSON(): { revoked: number } {
    return { revoked: this.#entries.size };
  }
}
