/**
 * The Sphinx header engine (Danezis and Goldberg, "Sphinx: A Compact and Provably Secure Mix
 * Format", IEEE S&P 2009), generic over the group, the key derivation, the stream cipher, the MAC
 * and the hop-data encoding. A profile is data given to this engine: our packet format
 * (`profile.ts`) and Lightning's BOLT 4 onion (`bolt04.ts`) are two such profiles.
 *
 * Header = prefix || α || β || γ, where α is the blinded group element, β the encrypted routing
 * information (fixed length L) and γ the MAC of the current hop. Hop data may have any length
 * (BOLT 4's variable-length payloads; our fixed-size routing commands are the special case): hop i
 * finds its data at the start of its decrypted β, then the next hop's MAC, and shifts the rest left.
 */
import { equalBytes } from '@p2pe/crypto';
import {
  concatBytes,
  InternalError,
  LimitError,
  VerificationError,
} from '@p2pe/transport-interfaces';
import type { SphinxGroup } from './groups';

/** The keys one hop derives from its shared secret (Sphinx §3.1's h_ρ, h_μ, h_π, h_b, h_τ). */
export interface HopKeys {
  /** The profile's shared secret (the input of every key below); shown in vectors. */
  readonly sharedSecret: Uint8Array;
  /** ρ: key of the stream that encrypts β. */
  readonly streamKey: Uint8Array;
  /** μ: key of the header MAC γ. */
  readonly macKey: Uint8Array;
  /** b: blinding factor, α_{i+1} = b·α_i. */
  readonly blinding: Uint8Array;
  /** π: payload key (empty when the profile has no end-to-end payload). */
  readonly payloadKey: Uint8Array;
  /** τ: replay tag, remembered by the hop for the lifetime of its key. */
  readonly replayTag: Uint8Array;
}

/** What a profile supplies to the engine. */
export interface HeaderProfile {
  readonly group: SphinxGroup;
  /** Bytes before α (version, epoch); the engine copies them unchanged from hop to hop. */
  readonly prefixLength: number;
  /** L: length of β. */
  readonly routingInfoLength: number;
  /** Length of γ and of each next-hop MAC inside β. */
  readonly macLength: number;
  /** Longest hop data a hop may find (bounds the stream each hop generates). */
  readonly maxHopDataLength: number;
  deriveHopKeys(sharedElement: Uint8Array, alpha: Uint8Array): HopKeys;
  /** The stream cipher's keystream of `length` bytes under `key`, as a new array. */
  stream(key: Uint8Array, length: number): Uint8Array;
  /** MAC of `data` under `key`, truncated to `macLength`. */
  mac(key: Uint8Array, data: Uint8Array): Uint8Array;
  /** The bytes γ covers. */
  macInput(prefix: Uint8Array, alpha: Uint8Array, beta: Uint8Array, ad: Uint8Array): Uint8Array;
  /** Length of the hop data at the start of decrypted β; throws DecodeError when malformed. */
  hopDataLength(routing: Uint8Array): number;
  /** L bytes that fill β before the sender writes hop data (pseudorandom, from the session). */
  initialPadding(sessionSecret: Uint8Array): Uint8Array;
}

export interface WrappedHeader {
  readonly header: Uint8Array;
  /** Keys of every hop, in path order. */
  readonly hops: readonly HopKeys[];
  /** α as each hop receives it. */
  readonly alphas: readonly Uint8Array[];
}

function xorInto(target: Uint8Array, source: Uint8Array, sourceOffset = 0): void {
  for (let i = 0; i < target.length; i++) target[i]! ^= source[sourceOffset + i]!;
}

/**
 * The sender's chain α_i, s_i, b_i for every hop (Sphinx §3.2, header creation). Prime-order groups
 * blind the secret (x_{i+1} = x_i·b_i); clamped Montgomery groups re-apply each blinding factor.
 */
export function deriveHopChain(
  p: HeaderProfile,
  sessionSecret: Uint8Array,
  nodeElements: readonly Uint8Array[],
): { hops: HopKeys[]; alphas: Uint8Array[] } {
  const g = p.group;
  const hops: HopKeys[] = [];
  const alphas: Uint8Array[] = [];
  if (g.multiplyScalars !== undefined) {
    let x = sessionSecret;
    for (let i = 0; i < nodeElements.length; i++) {
      const alpha = g.multiplyBase(x);
      const keys = p.deriveHopKeys(g.multiply(x, nodeElements[i]!), alpha);
      alphas.push(alpha);
      hops.push(keys);
      if (i + 1 < nodeElements.length) x = g.multiplyScalars(x, keys.blinding);
    }
    return { hops, alphas };
  }
  let alpha = g.multiplyBase(sessionSecret);
  for (let i = 0; i < nodeElements.length; i++) {
    let shared = g.multiply(sessionSecret, nodeElements[i]!);
    for (let j = 0; j < i; j++) shared = g.multiply(hops[j]!.blinding, shared);
    const keys = p.deriveHopKeys(shared, alpha);
    alphas.push(alpha);
    hops.push(keys);
    if (i + 1 < nodeElements.length) alpha = g.multiply(keys.blinding, alpha);
  }
  return { hops, alphas };
}

/**
 * Sphinx §3.2 "filler" φ (generalised to variable hop sizes as BOLT 4 does): the bytes that the
 * hops before the last shift in at the end of β, precomputed so the last hop's MAC covers them.
 */
function filler(p: HeaderProfile, hops: readonly HopKeys[], sizes: readonly number[]): Uint8Array {
  const L = p.routingInfoLength;
  let out = new Uint8Array(0);
  for (let i = 0; i + 1 < hops.length; i++) {
    const start = L - out.length;
    const grown = new Uint8Array(out.length + sizes[i]!);
    grown.set(out);
    const stream = p.stream(hops[i]!.streamKey, L + sizes[i]!);
    xorInto(grown, stream, start);
    out = grown;
  }
  return out;
}

/**
 * Builds the header for a path (Sphinx §3.2, header creation). `hopData[i]` is what hop
 * i reads; `prefix` is copied into every hop's header and covered by every MAC, as is `ad`.
 */
export function wrapHeader(
  p: HeaderProfile,
  sessionSecret: Uint8Array,
  nodeElements: readonly Uint8Array[],
  hopData: readonly Uint8Array[],
  prefix: Uint8Array,
  ad: Uint8Array,
): WrappedHeader {
  const L = p.routingInfoLength;
  const sizes = hopData.map((d) => d.length + p.macLength);
  const total = sizes.reduce((a, b) => a + b, 0);
  if (total > L) {
    throw new LimitError(
      'ONION_ROUTING_INFO_FULL',
      `hop data of ${total} bytes does not fit routing info of ${L} bytes`,
    );
  }
  const { hops, alphas } = deriveHopChain(p, sessionSecret, nodeElements);
  const fill = filler(p, hops, sizes);
  let beta = p.initialPadding(sessionSecret);
  let nextMac: Uint8Array = new Uint8Array(p.macLength); // the last hop finds an all-zero MAC
  for (let i = hops.length - 1; i >= 0; i--) {
    const shifted = new Uint8Array(L);
    shifted.set(hopData[i]!);
    shifted.set(nextMac, hopData[i]!.length);
    shifted.set(beta.subarray(0, L - sizes[i]!), sizes[i]!);
    xorInto(shifted, p.stream(hops[i]!.streamKey, L));
    if (i === hops.length - 1) shifted.set(fill, L - fill.length);
    beta = shifted;
    nextMac = p.mac(hops[i]!.macKey, p.macInput(prefix, alphas[i]!, beta, ad));
  }
  return {
    header: concatBytes(prefix, alphas[0]!, beta, nextMac),
    hops,
    alphas,
  };
}

export interface PeeledHeader {
  readonly keys: HopKeys;
  readonly hopData: Uint8Array;
  /** The MAC the next hop will check (all zero at the last hop of a BOLT 4 onion). */
  readonly nextMac: Uint8Array;
  /** The next hop's header; undefined when `wantNext` said this hop is the last. */
  readonly nextHeader: Uint8Array | undefined;
}

/**
 * One hop (Sphinx §3, a mix processing a header): DH with α, derive the keys, check γ in
 * constant time before anything else is read, decrypt β, read the hop data and the next MAC,
 * shift β left with the hop's stream filling the end (so the header keeps its size), blind α.
 * The caller has checked the header's length and prefix. Pure: no state is read or written.
 * The next header is written to `into` when given (header.length bytes; a packet being built),
 * else to a new array.
 */
export function peelHeader(
  p: HeaderProfile,
  secretKey: Uint8Array,
  header: Uint8Array,
  ad: Uint8Array,
  wantNext: (hopData: Uint8Array, nextMac: Uint8Array) => boolean,
  into?: Uint8Array,
): PeeledHeader {
  if (into !== undefined && into.length !== header.length) {
    throw new InternalError(
      'ONION_OUTPUT_LENGTH',
      `next header needs ${header.length} bytes, got ${into.length}`,
    );
  }
  const L = p.routingInfoLength;
  const E = p.group.elementLength;
  const prefix = header.subarray(0, p.prefixLength);
  const alpha = header.subarray(p.prefixLength, p.prefixLength + E);
  const beta = header.subarray(p.prefixLength + E, p.prefixLength + E + L);
  const gamma = header.subarray(p.prefixLength + E + L, p.prefixLength + E + L + p.macLength);

  const keys = p.deriveHopKeys(p.group.multiply(secretKey, alpha), alpha);
  if (!equalBytes(p.mac(keys.macKey, p.macInput(prefix, alpha, beta, ad)), gamma)) {
    throw new VerificationError(
      'ONION_HEADER_MAC_INVALID',
      `header MAC of ${p.macLength} bytes did not verify`,
    );
  }
  const stream = p.stream(keys.streamKey, L + p.maxHopDataLength + p.macLength);
  // β is decrypted over the first L bytes of the stream, which are not needed again; the bytes
  // after L pad the shifted β below.
  const routing = stream.subarray(0, L);
  xorInto(routing, beta);
  const n = p.hopDataLength(routing);
  const hopData = routing.slice(0, n);
  const nextMac = routing.slice(n, n + p.macLength);
  if (!wantNext(hopData, nextMac)) return { keys, hopData, nextMac, nextHeader: undefined };

  const shift = n + p.macLength;
  const next = into ?? new Uint8Array(header.length);
  next.set(prefix);
  next.set(p.group.multiply(keys.blinding, alpha), p.prefixLength);
  const nextBeta = next.subarray(p.prefixLength + E, p.prefixLength + E + L);
  nextBeta.set(routing.subarray(shift));
  nextBeta.set(stream.subarray(L, L + shift), L - shift);
  next.set(nextMac, p.prefixLength + E + L);
  return { keys, hopData, nextMac, nextHeader: next };
}
