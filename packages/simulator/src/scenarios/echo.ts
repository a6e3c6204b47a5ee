import type { Datagram } from '../network';
import type { SimPeer } from '../peer';
import type { Scenario } from '../scenario';

/** Messages each peer sends in `echo`. */
export const ECHO_MESSAGES_PER_PEER = 10;
/** Mean gap between a peer's requests (exponential), ms. */
const ECHO_MEAN_GAP_MS = 1_000;
/** A request with no echo after this long is sent again. */
const ECHO_TIMEOUT_MS = 1_000;
/** Sends of one request at most (the first and two retries). */
const ECHO_ATTEMPTS = 3;

/**
 * echo: every peer sends 10 requests to random other peers, at exponential intervals; each is
 * answered by an echo to the address it came from. A request with no echo in 1 s is sent again,
 * at most 3 times in all. Links: log-normal latency with a 50 ms median, 1% loss.
 */
export const echoScenario: Scenario = {
  name: 'echo',
  description:
    'every peer sends 10 messages to random peers, each answered by an echo (50 ms median, 1% loss)',
  minPeers: 2,
  simulation: () => ({
    network: { link: { latency: { kind: 'lognormal', median: 50, sigma: 0.5 }, loss: 0.01 } },
  }),
  setup(sim, ctx) {
    const n = ctx.peers;
    const peers = sim.addPeers(n);
    const m = sim.metrics;
    const k = ECHO_MESSAGES_PER_PEER;
    // Per request (peer * k + index): first send time, attempts so far, retry timer id; done flags.
    const firstSent = new Float64Array(n * k);
    const attempts = new Uint8Array(n * k);
    const done = new Uint8Array(n * k);
    const timers: ({ id: number } | undefined)[] = new Array(n * k);
    const targets = new Int32Array(n * k);
    const rng = sim.random;

    const sendRequest = (peer: SimPeer, req: number): void => {
      const payload = new Uint8Array(4);
      new DataView(payload.buffer).setUint32(0, req);
      attempts[req]!++;
      peer.send(peers[targets[req]!]!, 'echo/request', payload);
      timers[req] = peer.clock.setTimeout(() => {
        if (done[req] === 1) return;
        if (attempts[req]! < ECHO_ATTEMPTS) {
          m.count('echo.retries');
          sendRequest(peer, req);
        } else {
          m.count('echo.failed');
        }
      }, ECHO_TIMEOUT_MS);
    };

    for (const peer of peers) {
      peer.handle('echo/request', (msg: Datagram) => {
        peer.send(msg.source, 'echo/reply', msg.payload);
      });
      peer.handle('echo/reply', (msg: Datagram) => {
        const p = msg.payload;
        if (p.length !== 4) return;
        const req = ((p[0]! << 24) | (p[1]! << 16) | (p[2]! << 8) | p[3]!) >>> 0;
        if (req >= n * k || Math.floor(req / k) !== peer.id || done[req] === 1) {
          m.count('echo.lateOrDuplicate');
          return;
        }
        done[req] = 1;
        const t = timers[req];
        if (t !== undefined) peer.clock.clearTimeout(t);
        m.count('echo.completed');
        m.observe('echo.rttMs', sim.now() - firstSent[req]!);
      });
      let index = 0;
      const next = (): void => {
        const req = peer.id * k + index;
        let target = rng.int(n - 1);
        if (target >= peer.id) target++;
        targets[req] = target;
        firstSent[req] = sim.now();
        m.count('echo.requests');
        sendRequest(peer, req);
        index++;
        if (index < k) peer.clock.setTimeout(next, -ECHO_MEAN_GAP_MS * Math.log(1 - rng.float()));
      };
      peer.clock.setTimeout(next, -ECHO_MEAN_GAP_MS * Math.log(1 - rng.float()));
    }
    return {
      expectedMs: (k + 1) * ECHO_MEAN_GAP_MS + ECHO_ATTEMPTS * ECHO_TIMEOUT_MS,
      finish: () => {
        let completed = 0;
        for (let i = 0; i < done.length; i++) completed += done[i]!;
        return {
          requests: n * k,
          completed,
          completion: Math.round((completed / (n * k)) * 1e6) / 1e6,
        };
      },
    };
  },
};
