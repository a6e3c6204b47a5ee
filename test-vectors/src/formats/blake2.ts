/**
 * pyca/cryptography's BLAKE2 vectors (`vectors/cryptography_vectors/hashes/blake2/`): NIST-style
 * text blocks, unkeyed, full-length digests:
 *
 *   Len = 24          message length in bits
 *   Msg = 616263      message in hex (`00` when Len is 0: the empty message)
 *   MD = 508c…        expected digest in hex
 *
 * The file names no algorithm; the digest length does (RFC 7693 §2.1): 64 bytes is BLAKE2b-512,
 * 32 bytes is BLAKE2s-256. A headerless file of another hash with 32- or 64-byte digests would be
 * taken for BLAKE2 and fail every case: a wrong guess fails loudly, it never passes. NIST CAVP
 * files (with `[L = 32]` headers and `#` comments) are not taken.
 */
import type { HashName } from '@p2pe/crypto';
import { equalBytes } from '@p2pe/crypto';
import { fromHex } from '@p2pe/transport-interfaces';
import { emptyReport, type FileReport, type VectorFormat } from '../format';

const LINE = /^(Len|Msg|MD) = ([0-9A-Fa-f]*)$/;

const HASH_BY_DIGEST_LENGTH: Readonly<Record<number, HashName>> = { 64: 'BLAKE2b', 32: 'BLAKE2s' };

interface Block {
  readonly line: number;
  readonly fields: Map<string, string>;
}

function lines(text: string): string[] {
  return text.split(/\r?\n/);
}

function blocks(text: string): Block[] {
  const out: Block[] = [];
  let current: Block | undefined;
  lines(text).forEach((raw, i) => {
    const line = raw.trim();
    if (line === '') {
      current = undefined;
      return;
    }
    const m = LINE.exec(line);
    if (m === null) return;
    if (current === undefined || current.fields.has(m[1]!)) {
      current = { line: i + 1, fields: new Map() };
      out.push(current);
    }
    current.fields.set(m[1]!, m[2]!);
  });
  return out;
}

/** Every non-blank line is `Len|Msg|MD = hex`, and there is at least one `MD` line. */
function detectText(text: string): boolean {
  let digests = 0;
  for (const raw of lines(text)) {
    const line = raw.trim();
    if (line === '') continue;
    const m = LINE.exec(line);
    if (m === null) return false;
    if (m[1] === 'MD') digests++;
  }
  return digests > 0;
}

function checkBlock(
  block: Block,
  backend: Parameters<VectorFormat['verify']>[1],
): string | undefined {
  const len = block.fields.get('Len');
  const msgHex = block.fields.get('Msg');
  const mdHex = block.fields.get('MD');
  if (len === undefined || msgHex === undefined || mdHex === undefined) {
    return 'malformed: needs Len, Msg and MD';
  }
  if (!/^\d+$/.test(len)) return 'malformed: Len is not a decimal number of bits';
  const bits = Number(len);
  if (!Number.isSafeInteger(bits) || bits % 8 !== 0)
    return `malformed: Len ${len} is not whole bytes`;
  if (msgHex.length % 2 !== 0 || mdHex.length % 2 !== 0) return 'malformed: odd-length hex';
  // NIST convention: Len = 0 is written `Msg = 00`; otherwise Msg holds exactly Len/8 bytes.
  const msg = bits === 0 ? new Uint8Array(0) : fromHex(msgHex);
  if (bits === 0 && msgHex !== '00' && msgHex !== '')
    return 'malformed: Len = 0 with a non-empty Msg';
  if (bits !== 0 && msg.length * 8 !== bits)
    return `malformed: Len ${bits} but Msg has ${msg.length} bytes`;
  const md = fromHex(mdHex);
  const name = HASH_BY_DIGEST_LENGTH[md.length];
  if (name === undefined)
    return `malformed: ${md.length}-byte MD is neither BLAKE2b-512 nor BLAKE2s-256`;
  let digest: Uint8Array;
  try {
    digest = backend.hash(name).digest(msg);
  } catch (err) {
    return `${name} refused the message: ${(err as Error).name}`;
  }
  return equalBytes(digest, md) ? undefined : `${name} digest differs`;
}

export const pycaBlake2: VectorFormat = {
  name: 'pyca-blake2',
  detect: (file) => file.json === undefined && detectText(file.text),
  verify(file, backend): FileReport {
    const report = emptyReport();
    const used = new Set<string>();
    for (const block of blocks(file.text)) {
      const md = block.fields.get('MD');
      const name = md === undefined ? undefined : HASH_BY_DIGEST_LENGTH[md.length / 2];
      if (name !== undefined) used.add(name);
      const why = checkBlock(block, backend);
      if (why === undefined) {
        report.passed++;
      } else {
        report.failed++;
        report.failures.push(
          `block at line ${block.line} (Len = ${block.fields.get('Len') ?? '?'}): ${why}`,
        );
      }
    }
    report.notes.push(`hash by digest length: ${[...used].sort().join(', ') || 'none'}`);
    return report;
  },
};
