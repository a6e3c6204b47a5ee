import { dist, type NatType, Simulation, type SimulationOptions } from '../src/index';

/** A simulation whose links take exactly 10 ms and lose nothing, unless `link` says otherwise. */
export function quietSim(seed = 1, extra: Omit<SimulationOptions, 'seed'> = {}): Simulation {
  return new Simulation({
    ...extra,
    seed,
    network: { ...extra.network, link: { latency: dist.constant(10), ...extra.network?.link } },
  });
}

export const ALL_NATS: readonly NatType[] = [
  'open',
  'full-cone',
  'address-restricted',
  'port-restricted',
  'symmetric',
];
