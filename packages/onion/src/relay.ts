/**
 * A relay: the pure `peelPacket` wrapped with epoch keys and the replay cache. The only state a
 * call may change is the replay cache, and only after every check passed.
 */
import { type Clock, StateError, systemClock } from '@p2pe/transport-interfaces';
import { defaultEpochSchedule, type EpochSchedule, epochAt, type OnionKeyStore } from './epoch';
import { type HopResult, peelPacket, readPacketEpoch } from './packet';
import type { OnionProfile } from './profile';
import { MemoryReplayCache, type ReplayCache } from './replay';

export interface OnionRelayInit {
  readonly profile: OnionProfile;
  readonly keys: OnionKeyStore;
  /** @default a new MemoryReplayCache */
  readonly cache?: ReplayCache;
  /** @default systemClock() */
  readonly clock?: Clock;
  /** @default defaultEpochSchedule (1-hour epochs, 60 s grace) */
  readonly schedule?: EpochSchedule;
}

export class OnionRelay {
  readonly profile: OnionProfile;
  private readonly keys: OnionKeyStore;
  private readonly cache: ReplayCache;
  private readonly clock: Clock;
  private readonly schedule: EpochSchedule;
  private prunedBefore = 0;

  constructor(init: OnionRelayInit) {
    this.profile = init.profile;
    this.keys = init.keys;
    this.cache = init.cache ?? new MemoryReplayCache();
    this.clock = init.clock ?? systemClock();
    this.schedule = init.schedule ?? defaultEpochSchedule;
  }

  /** The current epoch by this relay's clock. */
  currentEpoch(): number {
    return epochAt(this.schedule, this.clock.now());
  }

  /**
   * The full epoch a header's 16-bit epoch field names, or a StateError: `ONION_EPOCH_EXPIRED`
   * for an older epoch (after the grace), `ONION_EPOCH_UNKNOWN` for one in the future (the next
   * epoch is accepted during the grace before it starts, the previous one during the grace after).
   */
  resolveEpoch(field: number): number {
    const now = this.clock.now();
    const current = epochAt(this.schedule, now);
    const delta = (current - field) & 0xffff;
    if (delta === 0) return current;
    const sinceStart = now - (this.schedule.originMs + current * this.schedule.lengthMs);
    if (delta === 1 && current >= 1 && sinceStart < this.schedule.graceMs) return current - 1;
    // The grace is symmetric: a sender whose clock runs ahead by less than the grace may already
    // build for the next epoch (whose key relays publish before it starts).
    const untilNext = this.schedule.lengthMs - sinceStart;
    if (delta === 0xffff && untilNext <= this.schedule.graceMs) return current + 1;
    if (delta < 0x8000) {
      throw new StateError('ONION_EPOCH_EXPIRED', `packet for epoch field ${field} is too old`);
    }
    throw new StateError('ONION_EPOCH_UNKNOWN', `packet for epoch field ${field} is not yet valid`);
  }

  /**
   * Processes one packet: size, version, epoch, DH, MAC (constant time), routing command, payload
   * layer, then the replay check, which records the tag (the only state change, on success only).
   */
  async process(packet: Uint8Array): Promise<HopResult> {
    const epoch = this.resolveEpoch(readPacketEpoch(this.profile, packet));
    const pair = this.keys.keyPair(epoch);
    if (pair === undefined) {
      throw new StateError('ONION_EPOCH_KEY_MISSING', `no onion key for epoch ${epoch}`);
    }
    const peeled = peelPacket(this.profile, pair.secretKey, packet, epoch);
    if (!(await this.cache.insert(epoch, peeled.replayTag))) {
      throw new StateError('ONION_REPLAYED', `packet already processed in epoch ${epoch}`);
    }
    if (epoch - 1 > this.prunedBefore) {
      this.prunedBefore = epoch - 1;
      await this.cache.forgetBefore(epoch - 1);
    }
    return peeled.result;
  }
}
