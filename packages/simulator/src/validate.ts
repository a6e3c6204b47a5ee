import { ValidationError } from '@p2pe/transport-interfaces';

/** Throws `SIM_INVALID_OPTION` unless `value` is a finite number >= `min` (and <= `max`). */
export function assertNumber(
  value: unknown,
  name: string,
  min = 0,
  max = Number.POSITIVE_INFINITY,
): number {
  if (
    typeof value !== 'number' ||
    Number.isNaN(value) ||
    value < min ||
    value > max ||
    (!Number.isFinite(value) && max !== Number.POSITIVE_INFINITY)
  ) {
    const range = max === Number.POSITIVE_INFINITY ? `>= ${min}` : `in [${min}, ${max}]`;
    throw new ValidationError(
      'SIM_INVALID_OPTION',
      `"${name}" expected a number ${range}, got ${describe(value)}`,
    );
  }
  return value;
}

/** Throws `SIM_INVALID_OPTION` unless `value` is a number > 0. */
export function assertPositive(value: unknown, name: string): number {
  if (typeof value !== 'number' || !(value > 0)) {
    throw new ValidationError(
      'SIM_INVALID_OPTION',
      `"${name}" expected a number > 0, got ${describe(value)}`,
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
