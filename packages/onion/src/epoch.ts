/**
 * Onion keys rotate by epoch: epoch e covers [origin + e·length, origin + (e+1)·length). A node
 * publishes the public key of each epoch ahead of time and deletes the secret key when the epoch
 * (plus a short grace for packets in flight) is over, which also bounds its replay cache and gives
 * forward secrecy at epoch granularity. Time comes from an injected Clock.
 */
import type { DhSuite, KeyPair } from '@p2pe/crypto';
import { type RandomBytes, ValidationError } from '@p2pe/transport-interfaces';
import { DEFAULT_EPOCH_GRACE_MS, DEFAULT_EPOCH_LENGTH_MS } from './constants';

export interface EpochSchedule {
  /** Start of epoch 0, ms since the Unix epoch. */
  readonly originMs: number;
  readonly lengthMs: number;
  /** After an epoch ends, how long its packets are still accepted. */
  readonly graceMs: number;
}

export const defaultEpochSchedule: EpochSchedule = Object.freeze({
  originMs: 0,
  lengthMs: DEFAULT_EPOCH_LENGTH_MS,
  graceMs: DEFAULT_EPOCH_GRACE_MS,
});

/** The epoch number at `nowMs` (0 before the origin). */
export function epochAt(schedule: EpochSchedule, nowMs: number): number {
  if (!(schedule.lengthMs > 0) || schedule.graceMs < 0 || schedule.graceMs >= schedule.lengthMs) {
    throw new ValidationError(
      'INVALID_ARGUMENT',
      '"schedule" expected lengthMs > 0 and 0 ≤ graceMs < lengthMs',
    );
  }
  return Math.max(0, Math.floor((nowMs - schedule.originMs) / schedule.lengthMs));
}

/** Where a relay finds its secret onion key for an epoch. */
export interface OnionKeyStore {
  keyPair(epoch: number): KeyPair | undefined;
}

/** Keeps one fresh key pair per epoch in memory. */
export class EpochKeyRing implements OnionKeyStore {
  private readonly keys = new Map<number, KeyPair>();

  constructor(
    private readonly dh: DhSuite,
    private readonly random?: RandomBytes,
  ) {}

  /** The key pair of `epoch`, generated on first use (call it for the current and next epoch). */
  ensure(epoch: number): KeyPair {
    let pair = this.keys.get(epoch);
    if (pair === undefined) {
      pair = this.dh.generateKeyPair(this.random);
      this.keys.set(epoch, pair);
    }
    return pair;
  }

  keyPair(epoch: number): KeyPair | undefined {
    return this.keys.get(epoch);
  }

  /** Debug output shows the epochs held, never key bytes. */
  toString(): string {
    return `EpochKeyRing { epochs: [${[...this.keys.keys()].join(', ')}] }`;
  }

  [Symbol.for('nodejs.util.inspect.custom')](): string {
    return this.toString();
  }

  toJSON(): string {
    return this.toString();
  }

  /** Deletes the keys of every epoch before `epoch` (their packets can no longer be read). */
  forgetBefore(epoch: number): void {
    for (const e of [...this.keys.keys()]) {
      if (e < epoch) {
        this.keys.get(e)?.secretKey.fill(0);
        this.keys.delete(e);
      }
    }
  }
}
