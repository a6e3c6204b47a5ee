import { ValidationError } from '@p2pe/transport-interfaces';

/**
 * Throws `SIM_INVALID_OPTION` unless `value` is a finite number >= `min` (and <= `max`). Infinity
 * is refused everywhere it is not meant: an infinite latency, delay or time would put an event at
 * t = Infinity, where the clock and the metrics stop meaning anything.
 */
export function assertNumber(
  value: unknown,
  name: string,
  min = 0,
  max = Number.MAX_VALUE,
): number {
  if (typeof value !== 'number' || !Number.isFinite(value) || value < min || value > max) {
    const range =
      max === Number.MAX_VALUE ? `a finite number >= ${min}` : `a number in [${min}, ${max}]`;
    throw new ValidationError(
      'SIM_INVALID_OPTION',
      `"${name}" expected ${range}, got ${describe(value)}`,
    );
  }
  return value;
}

/** Throws `SIM_INVALID_OPTION` unless `value` is a finite number (of either sign). */
export function assertFinite(value: unknown, name: string): number {
  if (typeof value !== 'number' || !Number.isFinite(value)) {
    throw new ValidationError(
      'SIM_INVALID_OPTION',
      `"${name}" expected a finite number, got ${describe(value)}`,
    );
  }
  return value;
}

/** Throws `SIM_INVALID_OPTION` unless `value` is a finite number > 0 (or Infinity, when
 *  `infinite` says it means "unlimited", as for bandwidth). */
export function assertPositive(value: unknown, name: string, infinite = false): number {
  if (
    typeof value !== 'number' ||
    !(value > 0) ||
    (value === Number.POSITIVE_INFINITY && !infinite)
  ) {
    throw new ValidationError(
      'SIM_INVALID_OPTION',
      `"${name}" expected ${infinite ? 'a number' : 'a finite number'} > 0, got ${describe(value)}`,
    );
  }
  return value;
}

/** Throws `SIM_INVALID_OPTION` unless `value` is an integer in [min, max]. */
export function assertInteger(
  value: unknown,
  name: string,
  min = 0,
  max = Number.MAX_SAFE_INTEGER,
): number {
  if (typeof value !== 'number' || !Number.isSafeInteger(value) || value < min || value > max) {
    throw new ValidationError(
      'SIM_INVALID_OPTION',
      `"${name}" expected an integer in [${min}, ${max}], got ${describe(value)}`,
    );
  }
  return value;
}

/** Throws `SIM_INVALID_OPTION` unless `value` is a probability in [0, 1]. */
export function assertProbability(value: unknown, name: string): number {
  return assertNumber(value, name, 0, 1);
}

export function describe(value: unknown): string {
  if (
    typeof value === 'number' ||
    typeof value === 'boolean' ||
    value === null ||
    value === undefined
  )
    return String(value);
  if (typeof value === 'string') return `string of length ${value.length}`;
  return Array.isArray(value) ? 'array' : typeof value;
}
