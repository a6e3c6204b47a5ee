/**
 * Compares two byte arrays without an early exit on the first differing byte, so the time taken
 * does not tell how long a matching prefix an attacker has guessed (for MACs, tags and keys).
 *
 * Honest limits: JavaScript engines give no hard constant-time guarantee (a JIT may still branch),
 * so this is best effort, as in noble's `equalBytes`. The lengths are not secret: arrays of
 * different lengths return false at once.
 */
export function equalBytes(a: Uint8Array, b: Uint8Array): boolean {
  if (!(a instanceof Uint8Array) || !(b instanceof Uint8Array)) return false;
  if (a.length !== b.length) return false;
  let diff = 0;
  for (let i = 0; i < a.length; i++) diff |= a[i]! ^ b[i]!;
  return diff === 0;
}

/** True when every byte is zero; reads every byte (no early exit), like `equalBytes`. */
export function isAllZero(bytes: Uint8Array): boolean {
  let acc = 0;
  for (let i = 0; i < bytes.length; i++) acc |= bytes[i]!;
  return acc === 0;
}
