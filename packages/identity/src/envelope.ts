/**
 * The signed envelope every signed statement of this package travels in (identity.proto
 * `Signed`, and `SignedSuccession` with two signatures):
 *
 *   message Signed { bytes body = 1; bytes signature = 2; }
 *   message SignedSuccession { bytes body = 1; bytes old_signature = 2; bytes new_signature = 3; }
 *
 * The body is kept as received and signatures are checked over exactly those bytes (never a
 * re-encoding). Below it, the steps every signed statement shares, given its `StatementKind`.
 * Internal: the public functions are per statement (record, invite, …).
 */
import type { CryptoBackend } from '@p2pe/crypto';
import { ProtoMessage, ProtoWriter, ValidationError } from '@p2pe/transport-interfaces';
import {
  checkExpectedKey,
  checkNotRevoked,
  checkVersion,
  signWith,
  type VerifyOptions,
  verifyWith,
} from './common';
import { FORMAT_VERSION, SIGNATURE_LENGTH } from './constants';

export interface Envelope {
  /** The body exactly as received (a view into the input). */
  readonly body: Uint8Array;
  /** Signatures in field order (2, 3, …). */
  readonly signatures: readonly Uint8Array[];
}

export function encodeEnvelope(body: Uint8Array, signatures: readonly Uint8Array[]): Uint8Array {
  const w = new ProtoWriter().bytes(1, body);
  signatures.forEach((sig, i) => {
    w.bytes(2 + i, sig);
  });
  return w.finish();
}

/**
 * Size limit first, then the envelope's fields: exactly one body and `signatureCount`
 * 64-byte signatures, nothing else.
 */
export function decodeEnvelope(
  bytes: Uint8Array,
  maxBytes: number,
  signatureCount: 1 | 2,
): Envelope {
  const msg = ProtoMessage.decode(bytes, maxBytes, 8);
  const known = [1, 2, 3].slice(0, 1 + signatureCount);
  msg.assertKnown(known);
  const body = msg.requiredBytes(1);
  const signatures: Uint8Array[] = [];
  for (let i = 0; i < signatureCount; i++) {
    signatures.push(msg.requiredBytes(2 + i, { length: SIGNATURE_LENGTH }));
  }
  return { body, signatures };
}

/** One kind of signed statement: its signature context, its limits and its name in errors. */
export interface StatementKind {
  /** Signature context, `p2pe/identity/v1/<purpose>`. */
  readonly label: string;
  /** Size limit of the envelope (and so of the body inside it). */
  readonly maxBytes: number;
  /** Field budget of the body (`ProtoMessage.decode`). */
  readonly maxFields: number;
  /** The body's field numbers; any other is refused (signed bytes must be exact). */
  readonly fields: readonly number[];
  /** Signatures the envelope carries. @default 1 */
  readonly signatures?: 1 | 2;
  /** Its name in error messages, e.g. `invite`. */
  readonly what: string;
}

/** `Signed { body, signature }`: `body` signed with `secretKey` under the kind's label. */
export function signStatement(
  crypto: CryptoBackend,
  kind: StatementKind,
  secretKey: Uint8Array,
  body: Uint8Array,
): Uint8Array {
  return encodeEnvelope(body, [signWith(crypto, secretKey, kind.label, body)]);
}

/** Refuses to hand out a statement that verifiers would refuse for its size. */
export function checkStatementSize(bytes: Uint8Array, kind: StatementKind, code: string): void {
  if (bytes.length > kind.maxBytes) {
    throw new ValidationError(
      code,
      `${kind.what} of ${bytes.length} bytes exceeds ${kind.maxBytes}`,
    );
  }
}

/** A statement as received, its body's version checked; no signature checked yet. */
export interface OpenedStatement extends Envelope {
  /** The body's fields. */
  readonly msg: ProtoMessage;
}

/**
 * The first steps of every verifier, in this order: size limit, envelope, the body's version
 * (field 1, only FORMAT_VERSION is known), then no field outside `kind.fields`.
 */
export function openStatement(bytes: Uint8Array, kind: StatementKind): OpenedStatement {
  const { body, signatures } = decodeEnvelope(bytes, kind.maxBytes, kind.signatures ?? 1);
  const msg = ProtoMessage.decode(body, kind.maxBytes, kind.maxFields);
  checkVersion(msg.requiredUint(1), FORMAT_VERSION, kind.what);
  msg.assertKnown(kind.fields);
  return { body, signatures, msg };
}

/**
 * The checks of a statement signed by one identity key, in this order: the key is not revoked,
 * the signature verifies over the exact body bytes, the key is the one expected (when given).
 */
export function checkSignedBy(
  crypto: CryptoBackend,
  kind: StatementKind,
  identityKey: Uint8Array,
  statement: Envelope,
  options: (VerifyOptions & { readonly identityKey?: Uint8Array }) | undefined,
): void {
  checkNotRevoked(options, identityKey, kind.what);
  verifyWith(crypto, identityKey, kind.label, statement.body, statement.signatures[0]!, kind.what);
  checkExpectedKey(options?.identityKey, identityKey, kind.what);
}
