/**
 * The vector formats the runner knows. Formats are recognised by content, never by file name.
 * A layer adds its format here (one module under ./formats, or its own package's export), and
 * lists it below: the first format whose `detect` says yes owns the file, so detections must not
 * overlap (a test checks this over the shared vector folder).
 */
import type { VectorFile, VectorFormat } from './format';
import { wycheproofAead } from './formats/aead';
import { pycaBlake2 } from './formats/blake2';
import { bolt04Onion, bolt04OnionError } from './formats/bolt04';
import { wycheproofEcdhSpki } from './formats/ecdh';
import { wycheproofEcdhEcpoint } from './formats/ecdh-ecpoint';
import { wycheproofEddsa } from './formats/eddsa';
import { wycheproofHkdf } from './formats/hkdf';
import { p2peIdentity } from './formats/identity';
import { wycheproofMac } from './formats/mac';
import { noiseFormat } from './formats/noise';
import { p2peOnion } from './formats/onion';
import { p2peRatchet } from './formats/ratchet';
import { p2peSync } from './formats/sync';
import { wycheproofXdh } from './formats/xdh';

export const knownFormats: readonly VectorFormat[] = [
  wycheproofXdh,
  wycheproofEcdhSpki,
  wycheproofEcdhEcpoint,
  wycheproofEddsa,
  wycheproofAead,
  wycheproofHkdf,
  wycheproofMac,
  pycaBlake2,
  noiseFormat,
  p2peIdentity,
  p2peOnion,
  bolt04Onion,
  bolt04OnionError,
  p2peRatchet,
  p2peSync,
];

/** Every format that claims `file`; a `detect` that throws counts as no. */
export function detectFormats(
  file: VectorFile,
  formats: readonly VectorFormat[] = knownFormats,
): VectorFormat[] {
  return formats.filter((format) => {
    try {
      return format.detect(file);
    } catch {
      return false;
    }
  });
}

/** The format that owns `file` (the first that claims it), or undefined when none does. */
export function detectFormat(
  file: VectorFile,
  formats: readonly VectorFormat[] = knownFormats,
): VectorFormat | undefined {
  return detectFormats(file, formats)[0];
}
