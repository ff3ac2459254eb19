/**
 * Run-time checks of a statistic's options. TypeScript's literal types vanish at run time, and a
 * value that arrives from configuration or another language ("two_sided", "x", "bogus") would
 * otherwise fall through to a default branch and compute a different test without a word (a
 * two-sided p-value halved, the exact KS method run). Each throws a RangeError naming the function
 * and the argument, like the data checks beside them.
 */
export function requireOneOf<const T extends string>(
  caller: string,
  argument: string,
  value: unknown,
  allowed: readonly T[],
): T {
  if (typeof value === "string" && (allowed as readonly string[]).includes(value)) return value as T;
  throw new RangeError(
    `${caller}: ${argument} must be one of ${allowed.map((a) => `"${a}"`).join(", ")}, got ${show(value)}`,
  );
}

export function requireBoolean(caller: string, argument: string, value: unknown): boolean {
  if (typeof value === "boolean") return value;
  throw new RangeError(`${caller}: ${argument} must be true or false, got ${show(value)}`);
}

/** A whole count ≥ min (sizes, bins, degrees of freedom that index arrays or loops). */
export function requireCount(caller: string, argument: string, value: unknown, min = 0): number {
  if (typeof value === "number" && Number.isInteger(value) && value >= min) return value;
  throw new RangeError(`${caller}: ${argument} must be an integer >= ${min}, got ${show(value)}`);
}

function show(value: unknown): string {
  return typeof value === "string" ? JSON.stringify(value) : String(value);
}
