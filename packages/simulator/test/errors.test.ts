import { P2peError } from '@p2pe/transport-interfaces';
import { describe, expect, it } from 'vitest';
import {
  builtinScenarios,
  dist,
  echoScenario,
  getScenario,
  parseSimArgs,
  runScenario,
  Simulation,
  validateDistribution,
} from '../src/index';
import { quietSim } from './helpers';

function codeOf(fn: () => unknown): string {
  try {
    fn();
  } catch (e) {
    if (P2peError.is(e)) return e.code;
    throw e;
  }
  throw new Error('did not throw');
}

describe('bad scenario input is a clear error', () => {
  it('unknown scenario', () => {
    expect(codeOf(() => getScenario('ech0', builtinScenarios))).toBe('SIM_UNKNOWN_SCENARIO');
    expect(() => getScenario('ech0', builtinScenarios)).toThrow(
      /unknown scenario "ech0"; known: echo/,
    );
    expect(() => getScenario('<script>', builtinScenarios)).toThrow(
      /unknown scenario \(string of length 8\)/,
    );
  });

  it('negative, zero, fractional and too few peers; bad seeds', async () => {
    for (const peers of [-1, 0, 1, 2.5, Number.NaN, 2_000_000]) {
      await expect(runScenario(echoScenario, { peers, seed: 1 })).rejects.toMatchObject({
        code: 'SIM_INVALID_OPTION',
      });
    }
    await expect(runScenario(echoScenario, { peers: 1, seed: 1 })).rejects.toThrow(
      '"peers": the echo scenario needs at least 2, got 1',
    );
    for (const seed of [-1, 1.5]) {
      await expect(runScenario(echoScenario, { peers: 5, seed })).rejects.toMatchObject({
        code: 'SIM_INVALID_OPTION',
      });
    }
  });

  it('CLI arguments: leading --, defaults, and every kind of mistake', () => {
    expect(
      parseSimArgs(['--', '--scenario', 'echo', '--peers', '1000', '--seed', '1', '--json']),
    ).toMatchObject({
      scenario: 'echo',
      peers: 1000,
      seed: 1,
      json: true,
    });
    expect(parseSimArgs(['--scenario=echo', '--report', 'run.html'])).toMatchObject({
      peers: 100,
      seed: 1,
      report: 'run.html',
    });
    for (const bad of [
      ['--scenario', 'echo', '--peers', '-5'],
      ['--scenario', 'echo', '--peers', '0'],
      ['--scenario', 'echo', '--peers', 'ten'],
      ['--scenario', 'echo', '--seed', '-1'],
      ['--scenario', 'echo', '--peers'],
      ['--scenario', 'echo', '--bogus'],
      ['--peers', '10'],
      ['--scenario', '--json'],
    ]) {
      expect(
        codeOf(() => parseSimArgs(bad)),
        bad.join(' '),
      ).toBe('SIM_INVALID_OPTION');
    }
    expect(() => parseSimArgs(['--scenario', 'echo', '--peers', '-5'])).toThrow(
      '--peers expected an integer in [1, 1000000], got "-5"',
    );
  });

  it('negative or out-of-range network options', () => {
    expect(codeOf(() => new Simulation({ seed: 1, network: { link: { loss: -0.1 } } }))).toBe(
      'SIM_INVALID_OPTION',
    );
    expect(codeOf(() => new Simulation({ seed: 1, network: { link: { loss: 1.5 } } }))).toBe(
      'SIM_INVALID_OPTION',
    );
    expect(codeOf(() => new Simulation({ seed: 1, network: { link: { bandwidth: 0 } } }))).toBe(
      'SIM_INVALID_OPTION',
    );
    expect(
      codeOf(() => new Simulation({ seed: 1, network: { link: { latency: dist.constant(-5) } } })),
    ).toBe('SIM_INVALID_OPTION');
    expect(codeOf(() => new Simulation({ seed: 1, network: { regions: [] } }))).toBe(
      'SIM_INVALID_OPTION',
    );
    expect(
      codeOf(
        () => new Simulation({ seed: 1, network: { regions: [{ name: 'a' }, { name: 'a' }] } }),
      ),
    ).toBe('SIM_INVALID_OPTION');
    expect(
      codeOf(
        () =>
          new Simulation({
            seed: 1,
            network: { regionLinks: [{ from: 'x', to: 'default', link: {} }] },
          }),
      ),
    ).toBe('SIM_INVALID_OPTION');
    expect(codeOf(() => new Simulation({ seed: 1, nat: { open: 0 } }))).toBe('SIM_INVALID_OPTION');
    expect(codeOf(() => new Simulation({ seed: 1, nat: { bogus: 1 } as never }))).toBe(
      'SIM_INVALID_OPTION',
    );
    expect(codeOf(() => validateDistribution({ kind: 'uniform', min: 5, max: 1 }, 'd'))).toBe(
      'SIM_INVALID_OPTION',
    );
    expect(codeOf(() => validateDistribution({ kind: 'weird' }, 'd'))).toBe('SIM_INVALID_OPTION');
    expect(codeOf(() => validateDistribution({ kind: 'empirical', values: [] }, 'd'))).toBe(
      'SIM_INVALID_OPTION',
    );
    const sim = quietSim();
    expect(codeOf(() => sim.addPeers(-3))).toBe('SIM_INVALID_OPTION');
    expect(codeOf(() => sim.addPeer({ region: 'mars' }))).toBe('SIM_INVALID_OPTION');
    expect(codeOf(() => sim.churn({ session: dist.constant(1), until: -1 }))).toBe(
      'SIM_INVALID_OPTION',
    );
    expect(codeOf(() => sim.churn({ session: dist.constant(1), crash: 2, until: 1 }))).toBe(
      'SIM_INVALID_OPTION',
    );
    expect(
      codeOf(() => sim.churn({ peers: [{} as never], session: dist.constant(1), until: 1 })),
    ).toBe('SIM_INVALID_OPTION');
    const [a, b] = sim.addPeers(2);
    expect(codeOf(() => a!.send(b!, 'x', new Uint8Array(17 * 1024 * 1024)))).toBe(
      'SIM_PAYLOAD_TOO_LARGE',
    );
    expect(codeOf(() => a!.send('sim:nowhere', 'x', new Uint8Array(1)))).toBe(
      'SIM_INVALID_ADDRESS',
    );
    expect(codeOf(() => a!.send(b!, '', new Uint8Array(1)))).toBe('INVALID_ARGUMENT');
    expect(codeOf(() => a!.handle('', () => undefined))).toBe('INVALID_ARGUMENT');
  });

  it('infinite or NaN numbers are refused where they would put an event at t = Infinity', () => {
    const inf = Number.POSITIVE_INFINITY;
    for (const latency of [
      dist.constant(inf),
      dist.uniform(0, inf),
      dist.normal(inf, 1),
      dist.lognormal(inf, 0.5),
      dist.exponential(inf),
      dist.pareto(inf, 1),
      dist.empirical([1, inf]),
      dist.constant(Number.NaN),
    ]) {
      expect(
        codeOf(() => new Simulation({ seed: 1, network: { link: { latency } } })),
        JSON.stringify(latency),
      ).toBe('SIM_INVALID_OPTION');
    }
    expect(
      codeOf(() => new Simulation({ seed: 1, network: { regions: [{ name: 'a', weight: inf }] } })),
    ).toBe('SIM_INVALID_OPTION');
    expect(codeOf(() => new Simulation({ seed: 1, nat: { open: inf } }))).toBe(
      'SIM_INVALID_OPTION',
    );
    const sim = quietSim();
    const [a] = sim.addPeers(1);
    for (const t of [inf, Number.NaN]) {
      expect(codeOf(() => sim.at(t, () => undefined))).toBe('SIM_INVALID_OPTION');
      expect(codeOf(() => sim.partition([[a!]], t))).toBe('SIM_INVALID_OPTION');
      expect(codeOf(() => sim.heal(t))).toBe('SIM_INVALID_OPTION');
      expect(codeOf(() => sim.script([{ at: t, peer: a!, action: 'crash' }]))).toBe(
        'SIM_INVALID_OPTION',
      );
    }
    expect(sim.network.partitioned).toBe(false);
    const [b] = sim.addPeers(1);
    expect(codeOf(() => sim.partition([[a!], [b!, a!]]))).toBe('SIM_INVALID_OPTION');
    expect(codeOf(() => sim.partition([[{} as never]]))).toBe('SIM_INVALID_OPTION');
    // Where infinity means "no end", it is accepted; bandwidth may be unlimited.
    expect(() => sim.churn({ session: dist.constant(5), until: inf })).not.toThrow();
    expect(() => new Simulation({ seed: 1, network: { link: { bandwidth: inf } } })).not.toThrow();
  });

  it('a timer set for Infinity never fires (virtual time stays finite)', async () => {
    const sim = quietSim();
    let fired = false;
    sim.clock.setTimeout(() => {
      fired = true;
    }, Number.POSITIVE_INFINITY);
    const stats = await sim.run({ until: 1e9 });
    expect(fired).toBe(false);
    expect(stats.pending).toBe(1);
  });

  it('error messages, printed for review', () => {
    const messages: string[] = [];
    const collect = (fn: () => unknown): void => {
      try {
        fn();
      } catch (e) {
        messages.push(`${(e as P2peError).code}: ${(e as Error).message}`);
      }
    };
    collect(() => getScenario('nope', builtinScenarios));
    collect(() => parseSimArgs(['--scenario', 'echo', '--peers', '-5']));
    collect(() => parseSimArgs(['--what']));
    collect(() => parseSimArgs([]));
    collect(() => new Simulation({ seed: 1, network: { link: { loss: 2 } } }));
    collect(() => validateDistribution({ kind: 'pareto', min: 0, shape: 1 }, 'churn.session'));
    console.log(messages.join('\n'));
    expect(messages).toHaveLength(6);
    expect(messages.every((m) => m.length < 200)).toBe(true);
  });
});
