/**
 * Lightning BOLT 4 onion vectors (lightning/bolts `bolt04/*.json`, CC-BY-4.0), checked byte for
 * byte against the BOLT 4 profile of @p2pe/onion's Sphinx engine:
 * - `onion-test.json`: the built onion (session key, hop keys, variable-length hop payloads,
 *   associated data), then every hop's decode step: the hop's payload, and the last hop's zero
 *   HMAC;
 * - `onion-error-test.json`: each hop's shared secret and ammag key, the failing hop's um key and
 *   padded failure payload, the error packet after every hop's obfuscation, and its attribution
 *   to the failing hop by the origin.
 * The route-blinding files are not claimed (route blinding is not implemented).
 *
 * The backend is not used: this profile's secp256k1 and HMAC-SHA256 come from @noble directly.
 */
import {
  bolt04Key,
  createBolt04Error,
  createBolt04Onion,
  decodeBolt04Error,
  peelBolt04Onion,
  wrapBolt04Error,
} from '@p2pe/onion';
import { fromHex, toHex } from '@p2pe/transport-interfaces';
import { emptyReport, type FileReport, type VectorFormat } from '../format';

interface OnionTest {
  generate: {
    session_key: string;
    associated_data: string;
    hops: { pubkey: string; payload: string }[];
  };
  onion: string;
  decode: string[];
}

interface ErrorTest {
  generate: {
    session_key: string;
    failure_message: string;
    hops: {
      pubkey: string;
      hop_shared_secret: string;
      ammag_key: string;
      um_key?: string;
      payload?: string;
    }[];
  };
  errorpacket: string;
}

const isObject = (v: unknown): v is Record<string, unknown> => typeof v === 'object' && v !== null;

function isOnionTest(json: unknown): json is OnionTest {
  return (
    isObject(json) &&
    isObject(json.generate) &&
    typeof json.generate.session_key === 'string' &&
    typeof json.generate.associated_data === 'string' &&
    Array.isArray(json.generate.hops) &&
    typeof json.onion === 'string' &&
    Array.isArray(json.decode)
  );
}

function isErrorTest(json: unknown): json is ErrorTest {
  return (
    isObject(json) &&
    isObject(json.generate) &&
    typeof json.generate.session_key === 'string' &&
    typeof json.generate.failure_message === 'string' &&
    Array.isArray(json.generate.hops) &&
    typeof json.errorpacket === 'string'
  );
}

/** Runs one named case; a throw is a failure with the error's code. */
function check(report: FileReport, id: string, run: () => string | undefined): void {
  try {
    const diff = run();
    if (diff === undefined) report.passed++;
    else {
      report.failed++;
      report.failures.push(`${id}: ${diff}`);
    }
  } catch (err) {
    report.failed++;
    report.failures.push(`${id}: threw ${(err as { code?: string }).code ?? 'ERROR'}`);
  }
}

const same = (what: string, expected: string, actual: Uint8Array): string | undefined =>
  toHex(actual) === expected.toLowerCase() ? undefined : `${what} differs`;

function verifyOnionTest(json: OnionTest): FileReport {
  const report = emptyReport();
  const ad = fromHex(json.generate.associated_data);
  let built: Uint8Array | undefined;
  check(report, 'build onion', () => {
    built = createBolt04Onion(
      fromHex(json.generate.session_key),
      json.generate.hops.map((h) => ({
        publicKey: fromHex(h.pubkey),
        payload: fromHex(h.payload),
      })),
      ad,
    ).onion;
    return same('onion', json.onion, built);
  });
  // Decoding starts from the published onion, so each step is checked even if building failed.
  let current: Uint8Array | undefined = fromHex(json.onion);
  json.decode.forEach((key, i) => {
    check(report, `decode hop ${i}`, () => {
      const input = current;
      current = undefined;
      if (input === undefined) return 'no onion to decode (an earlier step failed or was last)';
      const peeled = peelBolt04Onion(fromHex(key), input, ad);
      current = peeled.nextOnion;
      const expected = json.generate.hops[i]?.payload ?? '';
      const payloadDiff = same('hop payload', expected, peeled.payload);
      if (payloadDiff !== undefined) return payloadDiff;
      const last = i === json.decode.length - 1;
      if (last !== (peeled.nextOnion === undefined)) {
        return last ? 'final hop did not see a zero HMAC' : 'hop saw a zero HMAC before the end';
      }
      return undefined;
    });
  });
  return report;
}

function verifyErrorTest(json: ErrorTest): FileReport {
  const report = emptyReport();
  const hops = json.generate.hops;
  // The shared secrets come from the forward construction (any payloads: they do not affect them).
  let secrets: Uint8Array[] = [];
  check(report, 'shared secrets from the session key', () => {
    secrets = createBolt04Onion(
      fromHex(json.generate.session_key),
      hops.map((h) => ({ publicKey: fromHex(h.pubkey), payload: Uint8Array.of(1, 0) })),
      new Uint8Array(0),
    ).sharedSecrets;
    for (let i = 0; i < hops.length; i++) {
      const d = same(`hop ${i} shared secret`, hops[i]!.hop_shared_secret, secrets[i]!);
      if (d !== undefined) return d;
    }
    return undefined;
  });
  const given = hops.map((h) => fromHex(h.hop_shared_secret));
  hops.forEach((h, i) => {
    check(report, `hop ${i} ammag key`, () =>
      same('ammag key', h.ammag_key, bolt04Key('ammag', given[i]!)),
    );
  });
  const failing = hops.findIndex((h) => h.um_key !== undefined);
  const failingHop = hops[failing];
  if (failingHop === undefined || failingHop.payload === undefined) {
    report.failed++;
    report.failures.push('file: no hop with um_key and payload');
    return report;
  }
  check(report, `hop ${failing} um key`, () =>
    same('um key', failingHop.um_key!, bolt04Key('um', given[failing]!)),
  );
  let packet: Uint8Array | undefined;
  check(report, `hop ${failing} failure payload`, () => {
    const made = createBolt04Error(given[failing]!, fromHex(json.generate.failure_message));
    packet = made.packet;
    return same('failure payload', failingHop.payload!, made.payload);
  });
  check(report, 'error packet after every hop', () => {
    if (packet === undefined) return 'no error packet';
    let p = packet;
    for (let i = failing - 1; i >= 0; i--) p = wrapBolt04Error(given[i]!, p);
    return same('error packet', json.errorpacket, p);
  });
  check(report, 'origin attributes the error', () => {
    const decoded = decodeBolt04Error(given, fromHex(json.errorpacket));
    if (decoded === undefined) return 'no hop matched';
    if (decoded.hop !== failing) return `attributed to hop ${decoded.hop}`;
    return same('failure message', json.generate.failure_message, decoded.failureMessage);
  });
  return report;
}

export const bolt04Onion: VectorFormat = {
  name: 'bolt04-onion',
  detect: (file) => isOnionTest(file.json),
  verify: (file) => {
    if (!isOnionTest(file.json)) {
      const r = emptyReport();
      r.failed++;
      r.failures.push('file: not a BOLT 4 onion test');
      return r;
    }
    return verifyOnionTest(file.json);
  },
};

export const bolt04OnionError: VectorFormat = {
  name: 'bolt04-onion-error',
  detect: (file) => isErrorTest(file.json),
  verify: (file) => {
    if (!isErrorTest(file.json)) {
      const r = emptyReport();
      r.failed++;
      r.failures.push('file: not a BOLT 4 onion error test');
      return r;
    }
    return verifyErrorTest(file.json);
  },
};
