/**
 * The Noise vector format over the public files in ../shared/vectors/noise (provenance:
 * vectors/SOURCES.md): cacophony.txt (haskell-cryptography/cacophony), snow.txt and
 * snow-extended.txt (mcginty/snow). The CLI runs every vector on both backends; here the node
 * backend runs every vector, and the noble backend runs every 25519 vector plus a deterministic
 * sample of the X448 and P-256 ones (see `nobleSample`) to keep this file well under a minute on
 * a busy 2-core machine.
 */
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { type CryptoBackend, nobleBackend } from '@p2pe/crypto';
import { nodeBackend } from '@p2pe/crypto/node';
import { describe, expect, it } from 'vitest';
import type { VectorFile } from '../src/format';
import { noiseFormat } from '../src/formats/noise';

const dir = fileURLToPath(new URL('../../../shared/vectors/noise/', import.meta.url));

interface Vector {
  protocol_name: string;
  messages: { payload: string; ciphertext: string }[];
  [field: string]: unknown;
}

function load(name: string): { file: VectorFile; vectors: Vector[] } {
  const path = `${dir}${name}`;
  const text = readFileSync(path, 'utf8');
  const json = JSON.parse(text) as { vectors: Vector[] };
  return { file: { path, text, json }, vectors: json.vectors };
}

function fileOf(vectors: unknown[]): VectorFile {
  const json = { vectors };
  return { path: 'synthetic.json', text: JSON.stringify(json), json };
}

const files = ['cacophony.txt', 'snow.txt', 'snow-extended.txt'] as const;

/**
 * The deterministic noble sample: every 25519 vector; every 8th X448 vector of cacophony.txt
 * (59 of 472) and every 4th P-256 vector of snow-extended.txt (51 of 204), in file order.
 */
function nobleSample(name: (typeof files)[number], vectors: Vector[]): Vector[] {
  if (name === 'snow.txt') return vectors;
  const [curve, step] = name === 'cacophony.txt' ? ['_448_', 8] : ['_P256_', 4];
  let n = 0;
  const sample = vectors.filter((v) => !v.protocol_name.includes(curve) || n++ % step === 0);
  expect(n).toBe(name === 'cacophony.txt' ? 472 : 204);
  return sample;
}

describe('noise format: detection by content', () => {
  it.each(files)('claims %s', (name) => {
    expect(noiseFormat.detect(load(name).file)).toBe(true);
  });

  it('ignores other JSON, other shapes and non-JSON text', () => {
    const wycheproof = { path: 'x', text: '{}', json: { algorithm: 'AES-GCM', testGroups: [] } };
    expect(noiseFormat.detect(wycheproof)).toBe(false);
    expect(noiseFormat.detect({ path: 'x', text: 'in: 00', json: undefined })).toBe(false);
    expect(noiseFormat.detect(fileOf([]))).toBe(false);
    expect(noiseFormat.detect(fileOf([{ protocol_name: 1, messages: [] }]))).toBe(false);
  });
});

describe.each([
  ['node', nodeBackend],
  ['noble', nobleBackend],
] as [string, CryptoBackend][])('noise format: public files on %s', (backendName, backend) => {
  it.each(files)(
    '%s: every vector passes',
    (name) => {
      const { file, vectors } = load(name);
      const sample = backendName === 'noble' ? nobleSample(name, vectors) : vectors;
      const input = sample === vectors ? file : fileOf(sample);
      const expected = sample.length;
      const report = noiseFormat.verify(input, backend);
      expect(report.failures).toEqual([]);
      expect(report).toMatchObject({ passed: expected, failed: 0, skipped: 0 });
    },
    60_000,
  );
});

describe('noise format: bad vectors are reported, never thrown', () => {
  const { vectors } = load('snow.txt');
  const xx = vectors.find((v) => v.protocol_name === 'Noise_XX_25519_ChaChaPoly_SHA256')!;
  const nn = vectors.find((v) => v.protocol_name === 'Noise_NN_25519_ChaChaPoly_BLAKE2s')!;
  const clone = (v: Vector): Vector => JSON.parse(JSON.stringify(v)) as Vector;
  const flipHex = (hex: string, at: number): string => {
    const byte = (Number.parseInt(hex.slice(2 * at, 2 * at + 2), 16) ^ 1).toString(16);
    return `${hex.slice(0, 2 * at)}${byte.padStart(2, '0')}${hex.slice(2 * at + 2)}`;
  };

  it('a flipped bit in every message fails the vector, and says which message', () => {
    for (let m = 0; m < xx.messages.length; m++) {
      const bad = clone(xx);
      bad.messages[m]!.ciphertext = flipHex(bad.messages[m]!.ciphertext, 40);
      const report = noiseFormat.verify(fileOf([nn, bad]), nobleBackend);
      expect(report).toMatchObject({ passed: 1, failed: 1, skipped: 0 });
      expect(report.failures[0]).toMatch(/^#1 Noise_XX_25519_ChaChaPoly_SHA256: /);
    }
  });

  it('a wrong payload, prologue, psk or handshake_hash fails the vector', () => {
    const payload = clone(nn);
    payload.messages[2]!.payload = flipHex(payload.messages[2]!.payload, 0);
    const prologue = clone(nn);
    prologue.init_prologue = `${prologue.init_prologue}00`;
    const hash = clone(nn);
    hash.handshake_hash = '00'.repeat(32);
    const psk = clone(vectors.find((v) => v.protocol_name.startsWith('Noise_NNpsk0+psk2_'))!);
    (psk.init_psks as string[])[1] = '00'.repeat(32);
    const report = noiseFormat.verify(fileOf([payload, prologue, hash, psk]), nobleBackend);
    expect(report).toMatchObject({ passed: 0, failed: 4 });
    expect(report.failures[0]).toMatch(/message 2 (ciphertext|payload) differs/);
    expect(report.failures[1]).toContain('NOISE_DECRYPT_FAILED');
    expect(report.failures[2]).toContain('handshake_hash differs');
    expect(report.failures[3]).toContain('NOISE_DECRYPT_FAILED');
  });

  it('unsupported protocols are skipped with the reason in the notes', () => {
    const fallback = { ...clone(nn), protocol_name: 'Noise_XXfallback_25519_ChaChaPoly_SHA256' };
    const hybrid = { ...clone(nn), protocol_name: 'Noise_NNhfs_25519+Kyber1024_ChaChaPoly_SHA256' };
    const old = { ...clone(nn), protocol_name: 'NoisePSK_NN_25519_ChaChaPoly_SHA256' };
    const unknownHash = { ...clone(nn), protocol_name: 'Noise_NN_25519_ChaChaPoly_SHA3' };
    const report = noiseFormat.verify(fileOf([fallback, hybrid, old, unknownHash]), nobleBackend);
    expect(report).toMatchObject({ passed: 0, failed: 0, skipped: 4 });
    expect(report.notes.join('\n')).toMatch(/fallback modifier \(§10\.2\) is not supported/);
    expect(report.notes.join('\n')).toMatch(/NOISE|unsupported|not Noise_/);
  });

  it("reads noise-c's spelled-out protocol fields, which win over protocol_name", () => {
    const spelled = {
      ...clone(nn),
      protocol_name: 'Noise_XX_25519_AESGCM_SHA512',
      pattern: 'NN',
      dh: '25519',
      cipher: 'ChaChaPoly',
      hash: 'BLAKE2s',
    };
    const hybrid = { ...spelled, hybrid: 'NewHope' };
    const ssk = { ...clone(nn), init_ssk: '00'.repeat(32) };
    const file = fileOf([spelled, hybrid, ssk]);
    expect(noiseFormat.detect(fileOf([{ ...spelled, protocol_name: undefined }]))).toBe(true);
    const report = noiseFormat.verify(file, nobleBackend);
    expect(report).toMatchObject({ passed: 1, failed: 0, skipped: 2 });
    expect(report.notes.join('\n')).toContain('Noise_NN_25519+NewHope_ChaChaPoly_BLAKE2s');
  });

  it('"fail": true passes only when the vector does fail', () => {
    const good = { ...clone(nn), fail: true };
    const bad = { ...clone(nn), fail: true, resp_prologue: '00' };
    const report = noiseFormat.verify(fileOf([good, bad]), nobleBackend);
    expect(report).toMatchObject({ passed: 1, failed: 1 });
    expect(report.failures[0]).toContain('expected a failure');
  });

  it('malformed vectors fail without throwing', () => {
    const cases: unknown[] = [
      null,
      42,
      { protocol_name: 'Noise_NN_25519_ChaChaPoly_SHA256' },
      { ...clone(nn), init_ephemeral: 'zz' },
      { ...clone(nn), init_psks: 'not an array' },
      { ...clone(nn), messages: [{ payload: '00' }] },
      { ...clone(nn), messages: clone(nn).messages.slice(0, 1) },
      { ...clone(nn), init_ephemeral: '00' },
      { ...clone(xx), init_static: undefined },
    ];
    const report = noiseFormat.verify(fileOf(cases), nobleBackend);
    expect(report).toMatchObject({ passed: 0, failed: cases.length, skipped: 0 });
    expect(report.failures).toHaveLength(cases.length);
    const notAFile = noiseFormat.verify({ path: 'x', text: '{}', json: {} }, nobleBackend);
    expect(notAFile).toMatchObject({ passed: 0, failed: 1 });
  });
});
