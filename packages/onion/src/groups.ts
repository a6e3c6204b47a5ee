/**
 * The groups Sphinx runs in. Sphinx (Danezis-Goldberg 2009, §3.1-3.2) needs two operations on a
 * group element α: the hop's DH, s = α^y, and the blinding for the next hop, α' = α^b. Both are
 * "multiply an element by a scalar", so one `multiply` serves both; the sender also needs `k·G`.
 *
 * - X25519 / X448: `multiply(k, α)` is the suite's DH, x25519(k, α), through the crypto backend
 *   (node:crypto when you pass `nodeBackend`). X25519 clamps every scalar, so the exponents of the
 *   chain are clamp(x)·clamp(b_0)·…; multiplication commutes, so the hop's
 *   x25519(y, α_i) equals the sender's x25519(b_{i-1}, …x25519(b_0, x25519(x, Y_i))). The sender
 *   therefore re-applies the blinding factors one DH at a time (i+1 DH for hop i, as Nym's Sphinx
 *   does), since the product of clamped scalars is not itself a clamped scalar. Clamped scalars
 *   are multiples of the cofactor, so small-order components vanish; an all-zero output is refused.
 * - P-256: elements travel x-only (32 bytes). x(k·P) = x(k·(-P)), so a hop can lift the x-coordinate
 *   with either sign and the DH and the blinding both stay the backend's ECDH (SEC 1 §3.3.1,
 *   which outputs the x-coordinate). The group has prime order, so the sender multiplies its
 *   secret by each blinding factor mod n (one scalar product) instead of re-multiplying points.
 * - secp256k1 (the BOLT 4 profile): compressed 33-byte points through @noble/curves directly (no
 *   backend has secp256k1); the sender also blinds its secret mod n, as BOLT 4 does.
 */

import type { IField } from '@noble/curves/abstract/modular.js';
import { p256 } from '@noble/curves/nist.js';
import { secp256k1 } from '@noble/curves/secp256k1.js';
import { bytesToNumberBE, numberToBytesBE } from '@noble/curves/utils.js';
import { type DhSuite, equalBytes } from '@p2pe/crypto';
import {
  assertBytes,
  concatBytes,
  InternalError,
  P2peError,
  ValidationError,
  VerificationError,
} from '@p2pe/transport-interfaces';

export interface SphinxGroup {
  /** Name printed in vectors and errors: `X25519`, `X448`, `P-256`, `secp256k1`. */
  readonly name: string;
  /** Bytes of an encoded element (α) in the header. */
  readonly elementLength: number;
  /** Bytes of a secret scalar (session secret, node secret key, blinding factor). */
  readonly scalarLength: number;
  /** Bytes of hash output the profile derives to make one blinding factor. */
  readonly blindingInputLength: number;
  /** The element form of a node's published public key. */
  elementFromPublicKey(publicKey: Uint8Array): Uint8Array;
  /** k·E, encoded. Throws VerificationError `ONION_INVALID_ELEMENT` for a bad element. */
  multiply(scalar: Uint8Array, element: Uint8Array): Uint8Array;
  /** k·G, encoded. */
  multiplyBase(scalar: Uint8Array): Uint8Array;
  /** A blinding factor (a valid scalar) from `blindingInputLength` uniform bytes. */
  blindingScalar(bytes: Uint8Array): Uint8Array;
  /** a·b mod n: only for prime-order groups, where the sender may blind its own secret. */
  multiplyScalars?(a: Uint8Array, b: Uint8Array): Uint8Array;
}

function invalidElement(group: string, length: number, cause?: unknown): VerificationError {
  return new VerificationError(
    'ONION_INVALID_ELEMENT',
    `${group} group element of length ${length} is invalid`,
    cause === undefined ? undefined : { cause },
  );
}

/**
 * A blinding factor in a prime-order group: the bytes as a big-endian integer mod n. Zero (for
 * uniform input, probability about 2^-256) would collapse α to the identity, so it is refused.
 */
function scalarModN(Fn: IField<bigint>, bytes: Uint8Array): Uint8Array {
  const b = Fn.create(bytesToNumberBE(bytes));
  if (b === 0n) throw new InternalError('ONION_ZERO_BLINDING', 'blinding factor is zero');
  return numberToBytesBE(b, 32);
}

/** X25519 or X448 through the backend's DH suite (RFC 7748 §5). */
export function montgomeryGroup(dh: DhSuite): SphinxGroup {
  if (dh.name === 'P256') throw new InternalError('ONION_GROUP', 'P-256 is not a Montgomery curve');
  const name = dh.name === '25519' ? 'X25519' : 'X448';
  const len = dh.publicKeyLength;
  return Object.freeze({
    name,
    elementLength: len,
    scalarLength: dh.secretKeyLength,
    blindingInputLength: dh.secretKeyLength,
    elementFromPublicKey(publicKey: Uint8Array): Uint8Array {
      return assertBytes(publicKey, 'publicKey', len);
    },
    multiply(scalar: Uint8Array, element: Uint8Array): Uint8Array {
      try {
        return dh.dh(scalar, element);
      } catch (cause) {
        if (P2peError.is(cause) && cause.category === 'validation') throw cause;
        throw invalidElement(name, element.length, cause);
      }
    },
    multiplyBase(scalar: Uint8Array): Uint8Array {
      return dh.keyPairFromSecret(scalar).publicKey;
    },
    // RFC 7748 clamps every scalar, so any byte string is a valid blinding factor.
    blindingScalar: (bytes: Uint8Array): Uint8Array => bytes.slice(0, len),
  });
}

/** P-256 with x-only elements, DH and blinding through the backend (see the module comment). */
export function p256Group(dh: DhSuite): SphinxGroup {
  if (dh.name !== 'P256') throw new InternalError('ONION_GROUP', 'expected the P-256 DH suite');
  const Fn = p256.Point.Fn;
  // A hop multiplies the same α twice (DH, then blinding): remember the last lift (α is public).
  let lastX: Uint8Array | undefined;
  let lastPoint: Uint8Array | undefined;
  const lift = (x: Uint8Array): Uint8Array => {
    if (lastX !== undefined && lastPoint !== undefined && equalBytes(lastX, x)) return lastPoint;
    const point = p256.Point.fromBytes(concatBytes(Uint8Array.of(0x02), x)).toBytes(false);
    lastX = x.slice();
    lastPoint = point;
    return point;
  };
  return Object.freeze({
    name: 'P-256',
    elementLength: 32,
    scalarLength: 32,
    // 48 bytes reduced mod n: bias below 2^-128 (RFC 9380 §5's hash_to_field rule).
    blindingInputLength: 48,
    elementFromPublicKey(publicKey: Uint8Array): Uint8Array {
      assertBytes(publicKey, 'publicKey');
      if (publicKey.length !== 65 && publicKey.length !== 33) {
        assertBytes(publicKey, 'publicKey', 65);
      }
      return publicKey.slice(1, 33);
    },
    multiply(scalar: Uint8Array, element: Uint8Array): Uint8Array {
      if (element.length !== 32) throw invalidElement('P-256', element.length);
      try {
        return dh.dh(scalar, lift(element)); // throws for an x with no point on the curve
      } catch (cause) {
        if (P2peError.is(cause) && cause.category === 'validation') throw cause;
        throw invalidElement('P-256', element.length, cause);
      }
    },
    multiplyBase(scalar: Uint8Array): Uint8Array {
      return dh.keyPairFromSecret(scalar).publicKey.slice(1, 33);
    },
    blindingScalar: (bytes: Uint8Array): Uint8Array => scalarModN(Fn, bytes),
    multiplyScalars(a: Uint8Array, b: Uint8Array): Uint8Array {
      return numberToBytesBE(Fn.mul(bytesToNumberBE(a), bytesToNumberBE(b)), 32);
    },
  });
}

/** secp256k1 with compressed points (SEC 1 §2.3.3), through @noble/curves: the BOLT 4 group. */
export function secp256k1Group(): SphinxGroup {
  const { Point } = secp256k1;
  const Fn = Point.Fn;
  const scalarOf = (k: Uint8Array): bigint => {
    const n = bytesToNumberBE(assertBytes(k, 'scalar', 32));
    if (!Fn.isValidNot0(n)) {
      throw new ValidationError(
        'INVALID_ARGUMENT',
        '"scalar" expected a secp256k1 scalar in [1, n-1]',
      );
    }
    return n;
  };
  return Object.freeze({
    name: 'secp256k1',
    elementLength: 33,
    scalarLength: 32,
    blindingInputLength: 32,
    elementFromPublicKey(publicKey: Uint8Array): Uint8Array {
      return assertBytes(publicKey, 'publicKey', 33);
    },
    multiply(scalar: Uint8Array, element: Uint8Array): Uint8Array {
      const k = scalarOf(scalar);
      let point: InstanceType<typeof Point>;
      try {
        point = Point.fromBytes(element);
      } catch (cause) {
        throw invalidElement('secp256k1', element.length, cause);
      }
      return point.multiply(k).toBytes(true);
    },
    multiplyBase(scalar: Uint8Array): Uint8Array {
      return Point.BASE.multiply(scalarOf(scalar)).toBytes(true);
    },
    // BOLT 4 "Packet Construction": the blinding factor is SHA256(pubkey || ss) as a scalar.
    blindingScalar: (bytes: Uint8Array): Uint8Array => scalarModN(Fn, bytes),
    multiplyScalars(a: Uint8Array, b: Uint8Array): Uint8Array {
      return numberToBytesBE(Fn.mul(scalarOf(a), scalarOf(b)), 32);
    },
  });
}
