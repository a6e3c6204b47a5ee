/**
 * Invites (identity.proto `InviteBody`):
 *
 *   message InviteBody {
 *     uint32 version = 1;
 *     bytes identity_key = 2;        // Ed25519, 32 bytes
 *     uint64 expires_at = 3;         // ms since the Unix epoch
 *     repeated string addresses = 4; // optional transport addresses, opaque here
 *     bytes secret = 5;              // optional one-time secret, 32 bytes
 *   }
 *
 * carried as `Signed { body, signature }` with context `p2pe/identity/v1/invite`. The same bytes
 * travel as a link, `p2pe:` + bech32m("inv", bytes) (no length limit: the signature, not the
 * checksum, protects an invite), and in a QR code either as the URI in upper case (QR
 * alphanumeric mode holds `0-9A-Z:` and is 5.5 bits a character) or as the raw bytes.
 */

import { MAX_ADDRESS_LENGTH, ProtoWriter, ValidationError } from '@p2pe/transport-interfaces';
import { bech32m } from '@scure/base';
import { CodeError } from './code';
import {
  backendOf,
  type CreateOptions,
  checkExpiry,
  checkTtl,
  copy,
  nowOf,
  peerIdOf,
  randomOf,
  repeatedStrings,
  type VerifyOptions,
} from './common';
import {
  DEFAULT_INVITE_TTL_MS,
  FORMAT_VERSION,
  IDENTITY_KEY_LENGTH,
  INVITE_PREFIX,
  INVITE_SCHEME,
  INVITE_SECRET_LENGTH,
  LABEL_INVITE,
  MAX_INVITE_ADDRESSES,
  MAX_INVITE_BYTES,
  MAX_INVITE_TTL_MS,
} from './constants';
import {
  checkSignedBy,
  checkStatementSize,
  openStatement,
  type StatementKind,
  signStatement,
} from './envelope';
import type { Identity } from './identity';

const INVITE: StatementKind = {
  label: LABEL_INVITE,
  maxBytes: MAX_INVITE_BYTES,
  maxFields: 16,
  fields: [1, 2, 3, 4, 5],
  what: 'invite',
};

export interface CreateInviteOptions extends CreateOptions {
  /** Transport addresses to reach the inviter directly (optional). */
  readonly addresses?: readonly string[];
  /** @default DEFAULT_INVITE_TTL_MS (7 days); at most MAX_INVITE_TTL_MS (366 days). */
  readonly ttlMs?: number;
  /** Add a fresh 32-byte one-time secret (the inviter keeps it to recognise the reply). */
  readonly oneTimeSecret?: boolean;
}

export interface Invite {
  /** The signed invite: for QR byte mode, files, or `inviteUri`. */
  readonly bytes: Uint8Array;
  /** `p2pe:inv1…`, for links. */
  readonly uri: string;
  /** The URI in upper case, for QR alphanumeric mode. */
  readonly qrText: string;
  /** The one-time secret, when requested: the inviter stores it. */
  readonly secret?: Uint8Array;
}

export interface VerifiedInvite {
  readonly bytes: Uint8Array;
  readonly identityKey: Uint8Array;
  readonly peerId: Uint8Array;
  readonly expiresAt: number;
  readonly addresses: readonly string[];
  readonly secret?: Uint8Array;
}

/** Signs an invite of `identity`. */
export function createInvite(identity: Identity, options?: CreateInviteOptions): Invite {
  const crypto = backendOf(options);
  const ttl = options?.ttlMs ?? DEFAULT_INVITE_TTL_MS;
  checkTtl(ttl, MAX_INVITE_TTL_MS, 'ttlMs');
  const addresses = options?.addresses ?? [];
  if (!Array.isArray(addresses) || addresses.length > MAX_INVITE_ADDRESSES) {
    throw new ValidationError(
      'INVALID_ARGUMENT',
      `"addresses" expected at most ${MAX_INVITE_ADDRESSES} strings`,
    );
  }
  const secret =
    options?.oneTimeSecret === true ? randomOf(options)(INVITE_SECRET_LENGTH) : undefined;
  const w = new ProtoWriter()
    .uint(1, FORMAT_VERSION)
    .bytes(2, identity.publicKey)
    .uint(3, nowOf(options) + ttl);
  for (const a of addresses) {
    if (typeof a !== 'string' || new TextEncoder().encode(a).length > MAX_ADDRESS_LENGTH) {
      throw new ValidationError(
        'INVALID_ARGUMENT',
        `"addresses" entries expected strings of at most ${MAX_ADDRESS_LENGTH} bytes`,
      );
    }
    w.string(4, a);
  }
  if (secret !== undefined) w.bytes(5, secret);
  const body = w.finish();
  const bytes = signStatement(crypto, INVITE, identity.secretKey, body);
  checkStatementSize(bytes, INVITE, 'INVITE_TOO_LARGE');
  const uri = inviteUri(bytes);
  return secret === undefined
    ? { bytes, uri, qrText: uri.toUpperCase() }
    : { bytes, uri, qrText: uri.toUpperCase(), secret };
}

/** `p2pe:` + bech32m("inv", bytes). */
export function inviteUri(bytes: Uint8Array): string {
  return `${INVITE_SCHEME}:${bech32m.encode(INVITE_PREFIX, bech32m.toWords(bytes), false)}`;
}

/**
 * The invite bytes of a `p2pe:` URI (any case, spaces and line breaks ignored).
 * Throws CodeError `INVITE_URI` (not a p2pe invite URI) or `INVITE_CHECKSUM`.
 */
export function parseInviteUri(uri: string): Uint8Array {
  if (typeof uri !== 'string')
    throw new ValidationError('INVALID_ARGUMENT', '"uri" expected string');
  const maxChars =
    INVITE_SCHEME.length + 1 + INVITE_PREFIX.length + 1 + 6 + Math.ceil((MAX_INVITE_BYTES * 8) / 5);
  // Bound the raw text before any work on it (whitespace may legitimately double its length).
  if (uri.length > 2 * maxChars) {
    throw new CodeError('INVITE_URI', `invite URI exceeds ${maxChars} characters`);
  }
  const text = uri.replace(/\s/g, '').toLowerCase();
  if (text.length > maxChars)
    throw new CodeError('INVITE_URI', `invite URI exceeds ${maxChars} characters`);
  const head = `${INVITE_SCHEME}:${INVITE_PREFIX}1`;
  if (!text.startsWith(head))
    throw new CodeError('INVITE_URI', `invite URI must start with "${head}"`);
  const decoded = bech32m.decodeUnsafe(text.slice(INVITE_SCHEME.length + 1), false);
  if (decoded === undefined || decoded.prefix !== INVITE_PREFIX) {
    throw new CodeError('INVITE_CHECKSUM', 'invite URI checksum does not match');
  }
  const bytes = bech32m.fromWordsUnsafe(decoded.words);
  if (bytes === undefined) throw new CodeError('INVITE_CHECKSUM', 'invite URI has bad padding');
  return bytes;
}

export interface VerifyInviteOptions extends VerifyOptions {
  /** The identity the invite must come from, when known. */
  readonly identityKey?: Uint8Array;
}

/**
 * Verifies an invite given as bytes or as a URI: size limit, envelope, version, fields,
 * revocation, signature over the exact body bytes, expiry.
 * Errors: CodeError (URI), DecodeError/LimitError, VerificationError `SIGNATURE_INVALID`,
 * `IDENTITY_REVOKED`, `IDENTITY_MISMATCH`; StateError `INVITE_EXPIRED`, `INVITE_TTL_TOO_LONG`.
 */
export function verifyInvite(
  invite: Uint8Array | string,
  options?: VerifyInviteOptions,
): VerifiedInvite {
  const crypto = backendOf(options);
  const bytes = typeof invite === 'string' ? parseInviteUri(invite) : invite;
  const statement = openStatement(bytes, INVITE);
  const { msg } = statement;
  const identityKey = copy(msg.requiredBytes(2, { length: IDENTITY_KEY_LENGTH }));
  const expiresAt = msg.requiredUint(3);
  const addressText = repeatedStrings(msg, 4, MAX_INVITE_ADDRESSES, MAX_ADDRESS_LENGTH);
  const secretBytes = msg.bytes(5, { length: INVITE_SECRET_LENGTH });
  checkSignedBy(crypto, INVITE, identityKey, statement, options);
  checkExpiry(nowOf(options), expiresAt, MAX_INVITE_TTL_MS, 'invite', {
    expired: 'INVITE_EXPIRED',
    tooLong: 'INVITE_TTL_TOO_LONG',
  });
  const base = {
    bytes: copy(bytes),
    identityKey,
    peerId: peerIdOf(identityKey, { crypto }),
    expiresAt,
    addresses: addressText,
  };
  return secretBytes === undefined ? base : { ...base, secret: copy(secretBytes) };
}
