/**
 * Lightning BOLT 4 onion vectors (lightning/bolts bolt04/, snapshot a3772650, CC-BY-4.0):
 * onion-test.json (5 hops, variable-length payloads, one of 275 bytes) and onion-error-test.json
 * (an error returned by the last hop), reproduced byte for byte.
 */
import { describe, expect, it } from 'vitest';
import { bolt04Onion, bolt04OnionError } from '../src/formats/bolt04';
import { BACKENDS, HAVE_SHARED_VECTORS, jsonFile, loadShared } from './helpers';

describe.skipIf(!HAVE_SHARED_VECTORS)('BOLT 4 onion vectors', () => {
  it('onion-test.json: the built onion and every decode step match byte for byte', () => {
    const file = loadShared('bolt04/onion-test.json');
    expect(bolt04Onion.detect(file)).toBe(true);
    expect(bolt04OnionError.detect(file)).toBe(false);
    for (const [, backend] of BACKENDS) {
      const report = bolt04Onion.verify(file, backend);
      expect(report.failures).toEqual([]);
      expect(report).toMatchObject({ passed: 6, failed: 0, skipped: 0 });
    }
  });

  it('onion-error-test.json: keys, failure payload, error packet and attribution match', () => {
    const file = loadShared('bolt04/onion-error-test.json');
    expect(bolt04OnionError.detect(file)).toBe(true);
    expect(bolt04Onion.detect(file)).toBe(false);
    const report = bolt04OnionError.verify(file, BACKENDS[0]![1]);
    expect(report.failures).toEqual([]);
    expect(report).toMatchObject({ passed: 10, failed: 0, skipped: 0 });
  });

  it('the route-blinding files are not claimed', () => {
    for (const name of [
      'blinded-onion-message-onion-test.json',
      'blinded-payment-onion-test.json',
      'route-blinding-test.json',
    ]) {
      const file = loadShared(`bolt04/${name}`);
      expect(bolt04Onion.detect(file) || bolt04OnionError.detect(file)).toBe(false);
    }
  });

  it('a changed onion byte fails the build case and the first decode step', () => {
    const json = structuredClone(loadShared('bolt04/onion-test.json').json) as { onion: string };
    const flipped = (Number.parseInt(json.onion.slice(100, 102), 16) ^ 1)
      .toString(16)
      .padStart(2, '0');
    json.onion = json.onion.slice(0, 100) + flipped + json.onion.slice(102);
    const report = bolt04Onion.verify(jsonFile(json), BACKENDS[0]![1]);
    expect(report.failures).toEqual([
      'build onion: onion differs',
      'decode hop 0: threw ONION_HEADER_MAC_INVALID',
      'decode hop 1: no onion to decode (an earlier step failed or was last)',
      'decode hop 2: no onion to decode (an earlier step failed or was last)',
      'decode hop 3: no onion to decode (an earlier step failed or was last)',
      'decode hop 4: no onion to decode (an earlier step failed or was last)',
    ]);
  });

  it('a changed failure message fails the payload, the packet and the attribution', () => {
    const json = structuredClone(loadShared('bolt04/onion-error-test.json').json) as {
      generate: { failure_message: string };
    };
    json.generate.failure_message = '2003';
    const report = bolt04OnionError.verify(jsonFile(json), BACKENDS[0]![1]);
    expect(report.failed).toBe(3);
    expect(report.passed).toBe(7);
  });
});
