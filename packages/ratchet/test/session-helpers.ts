import { deterministicRandomForTestsOnly } from '@p2pe/crypto';
import { nodeBackend } from '@p2pe/crypto/node';
import { createIdentity, type Identity } from '@p2pe/identity';
import { ManualClock, toHex, utf8 } from '@p2pe/transport-interfaces';
import { type SessionEvent, SessionManager, type SessionManagerInit } from '../src/session';

export const backend = nodeBackend;

let installs = 0;

/** A device: an identity, a session manager, an outbox and the events it saw. */
export class Device {
  manager: SessionManager;
  readonly outbox = new Map<string, Uint8Array>();
  events: SessionEvent[] = [];
  inbox: string[] = [];

  constructor(
    readonly name: string,
    public identity: Identity,
    readonly clock: ManualClock,
    readonly extra: Partial<SessionManagerInit> = {},
  ) {
    this.manager = this.#make();
  }

  #make(): SessionManager {
    return new SessionManager({
      identity: this.identity,
      backend,
      clock: this.clock,
      random: deterministicRandomForTestsOnly(`${this.name}/install-${++installs}`),
      hooks: {
        hasPendingMessage: (peer, id) => this.outbox.has(`${toHex(peer)}/${toHex(id)}`),
        onEvent: (e) => this.events.push(e),
      },
      ...this.extra,
    });
  }

  /** Uninstall and reinstall: the identity is restored from its backup, everything else is lost. */
  reinstall(identity: Identity = this.identity): void {
    this.identity = identity;
    this.manager = this.#make();
    this.outbox.clear();
    this.events = [];
  }

  restart(): void {
    const state = this.manager.exportState();
    this.manager = SessionManager.restore(state, {
      identity: this.identity,
      backend,
      clock: this.clock,
      random: deterministicRandomForTestsOnly(`${this.name}/restart/${this.clock.now()}`),
      hooks: {
        hasPendingMessage: (peer, id) => this.outbox.has(`${toHex(peer)}/${toHex(id)}`),
        onEvent: (e) => this.events.push(e),
      },
      ...this.extra,
    });
  }

  know(other: Device, withStaticKey = true): void {
    const cert = other.identity.staticKey('25519', { clock: this.clock })!.certificate;
    this.manager.addContact({
      identityKey: other.identity.publicKey,
      ...(withStaticKey ? { staticKeyCertificate: cert } : {}),
    });
  }

  /** Queues a message in the outbox and sends it; returns the envelope. */
  send(to: Device, text: string): Uint8Array {
    const id = utf8(text);
    this.outbox.set(`${toHex(to.identity.peerId)}/${toHex(id)}`, id);
    return this.manager.send(to.identity.peerId, id, utf8(text)).envelope;
  }

  /** The outbox forgets a message (the user deleted it). */
  deleteMessage(to: Device, text: string): void {
    this.outbox.delete(`${toHex(to.identity.peerId)}/${toHex(utf8(text))}`);
  }

  resendRequested(): string[] {
    return this.events
      .filter((e) => e.type === 'resend-requested')
      .map((e) => (e.type === 'resend-requested' ? new TextDecoder().decode(e.messageId) : ''));
  }
}

export function world(seed: string): { clock: ManualClock; identity(name: string): Identity } {
  const clock = new ManualClock(1_700_000_000_000);
  return {
    clock,
    identity: (name) =>
      createIdentity({
        crypto: backend,
        clock,
        random: deterministicRandomForTestsOnly(`${seed}/${name}`),
      }),
  };
}

/**
 * Delivers envelopes until the network is quiet: each reply goes back to the other device. Returns
 * every envelope that crossed, so a test can count the bounces.
 */
export function deliver(
  to: Device,
  from: Device,
  envelope: Uint8Array,
  maxHops = 10,
): { crossed: number; results: ReturnType<SessionManager['receive']>[] } {
  const results: ReturnType<SessionManager['receive']>[] = [];
  let queue: Array<[Device, Device, Uint8Array]> = [[to, from, envelope]];
  let crossed = 0;
  while (queue.length > 0) {
    if (crossed++ >= maxHops) throw new Error('envelopes keep bouncing');
    const next: Array<[Device, Device, Uint8Array]> = [];
    for (const [dst, src, env] of queue) {
      const r = dst.manager.receive(env);
      results.push(r);
      if (r.type === 'message') dst.inbox.push(new TextDecoder().decode(r.plaintext));
      for (const reply of r.replies) next.push([src, dst, reply]);
    }
    queue = next;
  }
  return { crossed, results };
}
