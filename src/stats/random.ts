/**
 * Small seeded pseudo-random sources for simulations and tests (randomness is always passed in, never
 * global). `mulberry32` is Tommy Ettinger's 32-bit generator: fast, full 2³² period, good enough for Monte
 * Carlo checks (not for cryptography). Normals by the Box–Muller transform, z = sqrt(−2 ln u₁)·cos(2πu₂).
 * Poisson by Knuth's product method for small means and a rounded normal approximation above 50.
 */

/** Uniform on [0, 1). */
export type RandomSource = () => number;

export function mulberry32(seed: number): RandomSource {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

/** One standard normal draw (Box–Muller; 1 − u keeps the logarithm finite). */
export function randomNormal(random: RandomSource, mean = 0, sd = 1): number {
  const u1 = 1 - random();
  const u2 = random();
  return mean + sd * Math.sqrt(-2 * Math.log(u1)) * Math.cos(2 * Math.PI * u2);
}

/** One Poisson(mean) draw. */
export function randomPoisson(random: RandomSource, mean: number): number {
  if (!(mean >= 0 && Number.isFinite(mean)))
    throw new RangeError(`mean must be finite and >= 0, got ${mean}`);
  if (mean > 50) return Math.max(0, Math.round(randomNormal(random, mean, Math.sqrt(mean))));
  const limit = Math.exp(-mean);
  let k = 0;
  let product = random();
  while (product > limit) {
    k++;
    product *= random();
  }
  return k;
}
