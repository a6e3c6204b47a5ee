import { ValidationError } from '@p2pe/transport-interfaces';
import { MAX_SAMPLE } from './constants';
import type { SimRandom } from './rng';
import { assertNumber, assertPositive, describe } from './validate';

/**
 * A distribution of non-negative numbers (latencies, session lengths, intervals), as plain data so
 * scenarios can be written in JSON. Samples below zero are clamped to zero.
 */
export type Distribution =
  | { kind: 'constant'; value: number }
  | { kind: 'uniform'; min: number; max: number }
  /** Normal, truncated at zero. */
  | { kind: 'normal'; mean: number; stddev: number }
  /** Log-normal given by its median (= e^mu) and sigma: the usual shape of Internet latency. */
  | { kind: 'lognormal'; median: number; sigma: number }
  | { kind: 'exponential'; mean: number }
  /** Pareto with scale `min` and `shape` alpha: heavy-tailed session lengths. */
  | { kind: 'pareto'; min: number; shape: number }
  /** Picks one of `values` uniformly. */
  | { kind: 'empirical'; values: readonly number[] };

/** Shorthands. */
export const dist = {
  constant: (value: number): Distribution => ({ kind: 'constant', value }),
  uniform: (min: number, max: number): Distribution => ({ kind: 'uniform', min, max }),
  normal: (mean: number, stddev: number): Distribution => ({ kind: 'normal', mean, stddev }),
  lognormal: (median: number, sigma: number): Distribution => ({
    kind: 'lognormal',
    median,
    sigma,
  }),
  exponential: (mean: number): Distribution => ({ kind: 'exponential', mean }),
  pareto: (min: number, shape: number): Distribution => ({ kind: 'pareto', min, shape }),
  empirical: (values: readonly number[]): Distribution => ({ kind: 'empirical', values }),
};

/** Throws `SIM_INVALID_OPTION` if `d` is not a well-formed distribution. */
export function validateDistribution(d: unknown, name: string): Distribution {
  if (typeof d !== 'object' || d === null) {
    throw new ValidationError(
      'SIM_INVALID_OPTION',
      `"${name}" expected a distribution, got ${describe(d)}`,
    );
  }
  const x = d as Distribution;
  switch (x.kind) {
    case 'constant':
      assertNumber(x.value, `${name}.value`);
      break;
    case 'uniform':
      assertNumber(x.min, `${name}.min`);
      assertNumber(x.max, `${name}.max`, x.min);
      break;
    case 'normal':
      assertNumber(x.mean, `${name}.mean`);
      assertNumber(x.stddev, `${name}.stddev`);
      break;
    case 'lognormal':
      assertNumber(x.median, `${name}.median`);
      assertNumber(x.sigma, `${name}.sigma`);
      break;
    case 'exponential':
      assertNumber(x.mean, `${name}.mean`);
      break;
    case 'pareto':
      assertPositive(x.min, `${name}.min`);
      assertPositive(x.shape, `${name}.shape`);
      break;
    case 'empirical':
      if (!Array.isArray(x.values) || x.values.length === 0) {
        throw new ValidationError(
          'SIM_INVALID_OPTION',
          `"${name}.values" expected a non-empty array`,
        );
      }
      for (const [i, v] of x.values.entries()) assertNumber(v, `${name}.values[${i}]`);
      break;
    default:
      throw new ValidationError(
        'SIM_INVALID_OPTION',
        `"${name}.kind" is not a known distribution kind`,
      );
  }
  return x;
}

/** One sample of `d`, drawn from `rng`, in [0, MAX_SAMPLE] (a sample that overflows is clamped). */
export function sample(d: Distribution, rng: SimRandom): number {
  return Math.min(draw(d, rng), MAX_SAMPLE);
}

function draw(d: Distribution, rng: SimRandom): number {
  switch (d.kind) {
    case 'constant':
      return d.value;
    case 'uniform':
      return d.min + (d.max - d.min) * rng.float();
    case 'normal':
      return Math.max(0, d.mean + d.stddev * gaussian(rng));
    case 'lognormal':
      // (A zero median stays zero even where exp() overflows, instead of 0 * Infinity = NaN.)
      return d.sigma === 0 || d.median === 0
        ? d.median
        : d.median * Math.exp(d.sigma * gaussian(rng));
    case 'exponential':
      return -d.mean * Math.log(1 - rng.float());
    case 'pareto':
      return d.min / (1 - rng.float()) ** (1 / d.shape);
    case 'empirical':
      return d.values[rng.int(d.values.length)]!;
  }
}

/** The distribution's mean (infinite for Pareto with shape <= 1; ignores truncation at zero). */
export function mean(d: Distribution): number {
  switch (d.kind) {
    case 'constant':
      return d.value;
    case 'uniform':
      return (d.min + d.max) / 2;
    case 'normal':
      return d.mean;
    case 'lognormal':
      return d.median * Math.exp((d.sigma * d.sigma) / 2);
    case 'exponential':
      return d.mean;
    case 'pareto':
      return d.shape <= 1 ? Number.POSITIVE_INFINITY : (d.shape * d.min) / (d.shape - 1);
    case 'empirical':
      return d.values.reduce((a, b) => a + b, 0) / d.values.length;
  }
}

/** A standard normal deviate (Box–Muller; one of the pair is discarded to keep no hidden state). */
function gaussian(rng: SimRandom): number {
  const u = 1 - rng.float();
  const v = rng.float();
  return Math.sqrt(-2 * Math.log(u)) * Math.cos(2 * Math.PI * v);
}
