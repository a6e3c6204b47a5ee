import { P2peError, toHex } from '@p2pe/transport-interfaces';
import { describe, expect, it } from 'vitest';
import {
  checkPatternValidity,
  DEFERRED_PATTERNS,
  FUNDAMENTAL_PATTERNS,
  HANDSHAKE_PATTERNS,
  handshakePattern,
  NOISE_ERROR_CODES,
  noiseNonce,
  ONE_WAY_PATTERNS,
  parsePatternNotation,
  parseProtocolName,
} from '../src/noise/index';

function codeOf(fn: () => unknown): string | undefined {
  try {
    fn();
  } catch (err) {
    if (P2peError.is(err)) return err.code;
    throw err;
  }
  return undefined;
}

describe('noise pattern table (§7.4-§7.6)', () => {
  it('has 3 one-way, 12 fundamental and 23 deferred patterns', () => {
    expect(Object.keys(ONE_WAY_PATTERNS)).toHaveLength(3);
    expect(Object.keys(FUNDAMENTAL_PATTERNS)).toHaveLength(12);
    expect(Object.keys(DEFERRED_PATTERNS)).toHaveLength(23);
    expect(Object.keys(HANDSHAKE_PATTERNS)).toHaveLength(38);
  });

  it('every base pattern, and every single psk modifier on it, passes §7.3 and §9.3', () => {
    for (const base of Object.keys(HANDSHAKE_PATTERNS)) {
      const pattern = handshakePattern(base);
      expect(pattern.oneWay).toBe(base in ONE_WAY_PATTERNS);
      expect(pattern.pskCount).toBe(0);
      for (let n = 0; n <= pattern.messages.length; n++) {
        const withPsk = handshakePattern(`${base}psk${n}`);
        expect(withPsk.pskCount).toBe(1);
        checkPatternValidity(withPsk);
      }
    }
  });

  it('reads the spec notation: XX and IK as the spec writes them', () => {
    const xx = handshakePattern('XX');
    expect(xx.messages).toEqual([
      { from: 'initiator', tokens: ['e'] },
      { from: 'responder', tokens: ['e', 'ee', 's', 'es'] },
      { from: 'initiator', tokens: ['s', 'se'] },
    ]);
    const ik = handshakePattern('IK');
    expect(ik.initiatorPreMessage).toEqual([]);
    expect(ik.responderPreMessage).toEqual(['s']);
    expect(ik.messages.map((m) => m.tokens.join(','))).toEqual(['e,es,s,ss', 'e,ee,se']);
  });

  it('applies psk modifiers per §9.2: psk0 first in message 1, pskN last in message N', () => {
    const p = handshakePattern('NNpsk0+psk2');
    expect(p.messages.map((m) => m.tokens)).toEqual([
      ['psk', 'e'],
      ['e', 'ee', 'psk'],
    ]);
    expect(p.modifiers).toEqual(['psk0', 'psk2']);
    expect(handshakePattern('XXpsk3').messages[2]!.tokens).toEqual(['s', 'se', 'psk']);
  });

  it('refuses unknown patterns and modifiers, fallback, and psks past the last message', () => {
    for (const name of ['ZZ', 'XXX', 'xx', 'XXfallback', 'XXpsk4', 'NNpsk0+psk0', 'XXpsk', 'X1']) {
      expect(
        codeOf(() => handshakePattern(name)),
        name,
      ).toBe(NOISE_ERROR_CODES.UNSUPPORTED_PATTERN);
    }
    expect(codeOf(() => handshakePattern('toString'))).toBe(NOISE_ERROR_CODES.UNSUPPORTED_PATTERN);
    expect(codeOf(() => handshakePattern('constructor'))).toBe(
      NOISE_ERROR_CODES.UNSUPPORTED_PATTERN,
    );
  });
  it('§8.1: psk modifiers must be sorted (one pattern, one name); sorted ones are accepted', () => {
    for (const name of ['NNpsk2+psk0', 'XXpsk3+psk1', 'XXpsk0+psk2+psk1', 'IKpsk2+psk2']) {
      expect(
        codeOf(() => handshakePattern(name)),
        name,
      ).toBe(NOISE_ERROR_CODES.UNSUPPORTED_PATTERN);
      expect(
        codeOf(() => parseProtocolName(`Noise_${name}_25519_ChaChaPoly_SHA256`)),
        name,
      ).toBe(NOISE_ERROR_CODES.UNSUPPORTED_PATTERN);
    }
    expect(handshakePattern('XXpsk0+psk1+psk2+psk3').pskCount).toBe(4);
    expect(handshakePattern('NNpsk0+psk2').modifiers).toEqual(['psk0', 'psk2']);
  });
});

describe('noise pattern validity checks (§7.3, §9.3)', () => {
  const cases: [string, string, boolean?][] = [
    ['rule 1: DH with a key not yet received', '-> e, ee'],
    ['rule 1: es without the responder static', '-> e, es <- e, ee'],
    ['rule 2: ephemeral sent twice', '-> e <- e, ee -> e'],
    ['rule 2: static in pre-message and message', '-> s ... -> e, s <- e, ee'],
    ['rule 3: same DH twice', '-> e <- e, ee, ee'],
    ['rule 4: initiator se without ee', '-> s ... -> e <- e, se'],
    ['§9.3: psk then payload without an ephemeral', '-> psk <- e'],
    ['§7.1: responder speaks first', '<- e -> e, ee'],
    ['§7.1: turns do not alternate', '-> e -> s'],
    ['§7.4: one-way with two messages', '<- s ... -> e, es <- e, ee', true],
  ];
  it.each(cases)('refuses %s', (_name, notation, oneWay = false) => {
    expect(codeOf(() => parsePatternNotation('T', notation, oneWay))).toBe(
      NOISE_ERROR_CODES.UNSUPPORTED_PATTERN,
    );
  });

  it('refuses malformed notation', () => {
    for (const notation of ['', 'e', '-> e ... ... <- e', '-> e,, s', '-> e <- x', '-> ee ...']) {
      expect(
        codeOf(() => parsePatternNotation('T', notation)),
        notation,
      ).toBe(NOISE_ERROR_CODES.UNSUPPORTED_PATTERN);
    }
  });
});

describe('noise protocol names (§8)', () => {
  it('parses every field', () => {
    const p = parseProtocolName('Noise_XXpsk3_25519_ChaChaPoly_BLAKE2s');
    expect(p).toMatchObject({ dh: '25519', cipher: 'ChaChaPoly', hash: 'BLAKE2s' });
    expect(p.pattern.name).toBe('XXpsk3');
    expect(parseProtocolName('Noise_IK_448_AESGCM_SHA512').pattern.base).toBe('IK');
    expect(parseProtocolName('Noise_N_P256_XChaChaPoly_SHA256').pattern.oneWay).toBe(true);
  });

  it.each([
    ['Noise_XX_25519_ChaChaPoly', NOISE_ERROR_CODES.INVALID_PROTOCOL_NAME],
    ['Noise_XX_25519_ChaChaPoly_SHA256_x', NOISE_ERROR_CODES.INVALID_PROTOCOL_NAME],
    ['NoisePSK_XX_25519_ChaChaPoly_SHA256', NOISE_ERROR_CODES.INVALID_PROTOCOL_NAME],
    ['Noise_XX_25519_ChaChaPoly_SHA256 ', NOISE_ERROR_CODES.INVALID_PROTOCOL_NAME],
    ['Noise_XX_25519_ChaChaPoly_SHÄ256', NOISE_ERROR_CODES.INVALID_PROTOCOL_NAME],
    // §8: sections hold only alphanumerics, '+' and '/', and none is empty.
    ['Noise_XX_25519_ChaChaPoly_SHA-256', NOISE_ERROR_CODES.INVALID_PROTOCOL_NAME],
    ['Noise_XX_25519_ChaCha.Poly_SHA256', NOISE_ERROR_CODES.INVALID_PROTOCOL_NAME],
    ['Noise_X!X_25519_ChaChaPoly_SHA256', NOISE_ERROR_CODES.INVALID_PROTOCOL_NAME],
    ['Noise_XX__ChaChaPoly_SHA256', NOISE_ERROR_CODES.INVALID_PROTOCOL_NAME],
    ['Noise__25519_ChaChaPoly_SHA256', NOISE_ERROR_CODES.INVALID_PROTOCOL_NAME],
    ['Noise_XX_25519_ChaChaPoly_SHA3/256', NOISE_ERROR_CODES.UNSUPPORTED_ALGORITHM],
    [`Noise_XX_25519_ChaChaPoly_${'A'.repeat(300)}`, NOISE_ERROR_CODES.INVALID_PROTOCOL_NAME],
    ['Noise_XXfallback_25519_ChaChaPoly_SHA256', NOISE_ERROR_CODES.UNSUPPORTED_PATTERN],
    ['Noise_XX_25519+Kyber_ChaChaPoly_SHA256', NOISE_ERROR_CODES.UNSUPPORTED_ALGORITHM],
    ['Noise_XX_25519_AESGCMSIV_SHA256', NOISE_ERROR_CODES.UNSUPPORTED_ALGORITHM],
    ['Noise_XX_25519_ChaChaPoly_SHA3', NOISE_ERROR_CODES.UNSUPPORTED_ALGORITHM],
  ])('refuses %s', (name, code) => {
    expect(codeOf(() => parseProtocolName(name))).toBe(code);
  });
});

describe('noise nonces (§12.3)', () => {
  const hex = toHex;
  it('ChaChaPoly: 32 zero bits || little-endian n', () => {
    expect(hex(noiseNonce('ChaChaPoly', 0x0102n))).toBe('000000000201000000000000');
  });
  it('AESGCM: 32 zero bits || big-endian n', () => {
    expect(hex(noiseNonce('AESGCM', 0x0102n))).toBe('000000000000000000000102');
  });
  it('XChaChaPoly (extension, as snow): 128 zero bits || little-endian n', () => {
    expect(hex(noiseNonce('XChaChaPoly', 0x0102n))).toBe(`${'00'.repeat(16)}0201000000000000`);
  });
  it('the reserved maximum 2^64-1 is all ones; nothing outside [0, 2^64-1] is encoded', () => {
    expect(hex(noiseNonce('AESGCM', 2n ** 64n - 1n))).toBe(`00000000${'ff'.repeat(8)}`);
    expect(codeOf(() => noiseNonce('AESGCM', 2n ** 64n))).toBe('INVALID_ARGUMENT');
    expect(codeOf(() => noiseNonce('AESGCM', -1n))).toBe('INVALID_ARGUMENT');
    expect(codeOf(() => noiseNonce('AESGCMSIV', 0n))).toBe(NOISE_ERROR_CODES.UNSUPPORTED_ALGORITHM);
  });
});
