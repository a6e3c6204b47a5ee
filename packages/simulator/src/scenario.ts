import { ValidationError } from '@p2pe/transport-interfaces';
import { MAX_PEERS } from './constants';
import type { MetricsSnapshot, TraceEvent, TraceFilter } from './metrics';
import { type Progress, Simulation, type SimulationOptions } from './simulation';
import { assertInteger, describe } from './validate';

/** What a scenario's `setup` gets. */
export interface ScenarioContext {
  /** Number of peers asked for. */
  readonly peers: number;
}

/** What `setup` returns: how long to run, and the scenario's own results. */
export interface ScenarioPlan {
  /** Stop at this virtual time (ms). Leave out to run until no event is left. */
  until?: number;
  /** Expected virtual length of the run, for progress bars. @default until */
  expectedMs?: number;
  /** Called after the run: the scenario's own results (counts and flags, for the JSON). */
  finish?: () => Record<string, number | string | boolean>;
}

/**
 * A scenario: a name, a description, and a `setup` that builds peers and protocols on a fresh
 * simulation. Network options are data (`simulation`), so a run is reproducible from
 * (scenario, peers, seed) alone.
 */
export interface Scenario {
  readonly name: string;
  readonly description: string;
  /** Fewest peers the scenario makes sense with. @default 1 */
  readonly minPeers?: number;
  /** Simulation options besides the seed, given the peer count. */
  simulation?(ctx: ScenarioContext): Omit<SimulationOptions, 'seed'>;
  setup(sim: Simulation, ctx: ScenarioContext): ScenarioPlan;
}

export interface RunScenarioOptions {
  peers: number;
  seed: number | string;
  /** Switch the event trace on for a peer and/or a message. */
  trace?: TraceFilter;
  onProgress?: (progress: Progress & { fraction: number }) => void;
  /** Safety limit on events. */
  maxEvents?: number;
}

/** The result of one run: everything here is a function of (scenario, peers, seed). */
export interface SimReport {
  scenario: string;
  seed: number | string;
  peers: number;
  simTimeMs: number;
  events: number;
  metrics: MetricsSnapshot;
  result: Record<string, number | string | boolean>;
  trace?: TraceEvent[];
}

/** Looks a scenario up by name in `registry`; throws `SIM_UNKNOWN_SCENARIO`. */
export function getScenario(name: string, registry: readonly Scenario[]): Scenario {
  const s = registry.find((x) => x.name === name);
  if (s === undefined) {
    const known = registry.map((x) => x.name).join(', ');
    throw new ValidationError(
      'SIM_UNKNOWN_SCENARIO',
      typeof name === 'string' && name.length <= 64 && /^[\w-]*$/.test(name)
        ? `unknown scenario "${name}"; known: ${known}`
        : `unknown scenario (${describe(name)}); known: ${known}`,
    );
  }
  return s;
}

/** Builds a simulation for `scenario`, runs it, and returns its report. */
export async function runScenario(
  scenario: Scenario,
  options: RunScenarioOptions,
): Promise<SimReport> {
  const min = scenario.minPeers ?? 1;
  const peers = assertInteger(options.peers, 'peers', 1, MAX_PEERS);
  if (peers < min) {
    throw new ValidationError(
      'SIM_INVALID_OPTION',
      `"peers": the ${scenario.name} scenario needs at least ${min}, got ${peers}`,
    );
  }
  const seed = options.seed;
  if (typeof seed === 'number') assertInteger(seed, 'seed', 0);
  else if (typeof seed !== 'string')
    throw new ValidationError(
      'SIM_INVALID_OPTION',
      `"seed" expected an integer, got ${describe(seed)}`,
    );
  const ctx: ScenarioContext = { peers };
  const sim = new Simulation({ ...(scenario.simulation?.(ctx) ?? {}), seed });
  if (options.trace !== undefined) sim.metrics.enableTrace(options.trace);
  const plan = scenario.setup(sim, ctx);
  const expected = plan.expectedMs ?? plan.until ?? 0;
  const onProgress = options.onProgress;
  const stats = await sim.run({
    ...(plan.until === undefined ? {} : { until: plan.until }),
    ...(options.maxEvents === undefined ? {} : { maxEvents: options.maxEvents }),
    ...(onProgress === undefined
      ? {}
      : {
          onProgress: (p: Progress) =>
            onProgress({ ...p, fraction: expected > 0 ? Math.min(1, p.time / expected) : 0 }),
        }),
  });
  const report: SimReport = {
    scenario: scenario.name,
    seed,
    peers,
    simTimeMs: Math.round(stats.time * 1000) / 1000,
    events: stats.events,
    metrics: sim.metrics.snapshot(),
    result: plan.finish?.() ?? {},
  };
  if (options.trace !== undefined) report.trace = sim.metrics.trace;
  return report;
}
