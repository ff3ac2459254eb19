/**
 * The grid and the density representation behind the group-sequential integrator
 * (./group-sequential-integration.ts): Jennison & Turnbull's grid (2000, §19.2.1), Simpson weights, and
 * the interpolation that lets a narrow transition kernel be integrated more finely than the grid.
 *
 * Grid: r points per standard deviation around the mean μ of the look's statistic, spaced 3/(2r) on
 * μ ± 3 and logarithmically beyond, out to μ ± (3 + 4 ln r) (J&T's x_i, i = 1 … 6r − 1); cut to the
 * continuation region (its ends become grid points); every interval is halved and integrated by Simpson's
 * rule, so a grid has 2n + 1 points and n panels. J&T's grid has m = 12r − 3 points (189 at r = 16); the
 * two additions in cutGrid (central spacing up to a cut in the upper tail, a boundary layer at a cut) bring
 * it to at most about 313 at r = 16.
 *
 * Between grid points the sub-density h is interpolated by the quadratic through its panel's three values
 * on the log scale (exact for a normal density, and never negative); masses of part of a panel use Simpson
 * on that interpolant. Complexity: a grid O(r); an interpolated value O(1) once its panel is known (found
 * by bisection, O(log m)).
 */
export const DEFAULT_GRID_POINTS_PER_SD = 16;

export function requireGridPointsPerSd(r: number): void {
  if (!(Number.isInteger(r) && r >= 4 && r <= 128))
    throw new RangeError(`gridPointsPerSd must be an integer in [4, 128], got ${r}`);
}

/** Information levels must be finite, positive and strictly increasing (names the bad entry). */
export function requireInformationLevels(information: readonly number[], name = "information"): void {
  if (!Array.isArray(information) || information.length === 0)
    throw new RangeError(`${name} must be a non-empty array of information levels`);
  for (let k = 0; k < information.length; k++) {
    const level = information[k];
    if (!(typeof level === "number" && level > 0 && Number.isFinite(level)))
      throw new RangeError(`${name}[${k}] must be a positive finite number, got ${level}`);
    if (k > 0 && !(level > information[k - 1]))
      throw new RangeError(
        `${name}[${k}] must exceed ${name}[${k - 1}] (${information[k - 1]}), got ${level}`,
      );
  }
}

/** Abscissae and Simpson weights over one look's continuation region. */
export interface SimpsonGrid {
  points: number[];
  weights: number[];
}

/** Points stepping away from `edge` (direction ±1), from layer/8 growing by 15% until the grid's own step. */
function layerPoints(edge: number, direction: number, layer: number, step: number): number[] {
  const points: number[] = [];
  let offset = 0;
  for (let gap = layer / 8; gap < step && offset < 12 * layer; gap *= 1.15) {
    offset += gap;
    points.push(edge + direction * offset);
  }
  return points;
}

/**
 * J&T's grid (before halving) around `mean`, cut to (lower, upper); empty when the region misses it.
 * With a `layer` (the sd of the last increment on this look's scale), a cut end also gets points spaced
 * from layer/8 outward: absorption at the previous look leaves a boundary layer of that width there,
 * which the centre's 3/(2r) spacing cannot resolve once looks come close together in information.
 */
function cutGrid(mean: number, lower: number, upper: number, r: number, layer: number | null): number[] {
  const raw: number[] = [];
  const step = 3 / (2 * r);
  for (let i = 1; i < r; i++) raw.push(mean - 3 - 4 * Math.log(r / i));
  for (let i = r; i <= 5 * r; i++) raw.push(mean - 3 + (i - r) * step);
  // An upper cut in the upper tail keeps the central spacing up to it (at most μ + 8): the next look's
  // crossing probability, however small, is then integrated as accurately in relative terms.
  const uniformTo = Number.isFinite(upper) ? Math.min(upper, mean + 8) : mean + 3;
  for (let x = mean + 3 + step; x < uniformTo; x += step) raw.push(x);
  for (let i = 5 * r + 1; i < 6 * r; i++) {
    const x = mean + 3 + 4 * Math.log(r / (6 * r - i));
    if (x > uniformTo) raw.push(x);
  }
  const lo = Math.max(lower, raw[0]);
  const hi = Math.min(upper, raw[raw.length - 1]);
  if (!(hi > lo)) return [];
  const cut = [lo];
  for (const x of raw) if (x > lo && x < hi) cut.push(x);
  cut.push(hi);
  if (layer === null) return cut;
  const extra = [
    ...(hi === upper ? layerPoints(hi, -1, layer, step) : []),
    ...(lo === lower ? layerPoints(lo, 1, layer, step) : []),
  ].filter((x) => x > lo && x < hi);
  if (extra.length === 0) return cut;
  const merged = [...cut, ...extra].sort((a, b) => a - b);
  // Points closer than a hundredth of the finest layer step would only make degenerate panels.
  const finest = layer / 800;
  const kept = [merged[0]];
  for (const x of merged) if (x - kept[kept.length - 1] > finest) kept.push(x);
  if (kept[kept.length - 1] !== hi) kept[kept.length - 1] = hi;
  return kept;
}

/**
 * Grid with Simpson weights on (lower, upper) for a look whose statistic has the given mean; `layer` as in
 * cutGrid (null: no boundary layer, e.g. at the first look).
 */
export function simpsonGrid(
  mean: number,
  lower: number,
  upper: number,
  r: number,
  layer: number | null = null,
): SimpsonGrid {
  const cut = cutGrid(mean, lower, upper, r, layer);
  if (cut.length === 0) return { points: [], weights: [] };
  const points: number[] = [cut[0]];
  const weights: number[] = [0];
  for (let j = 1; j < cut.length; j++) {
    const width = cut[j] - cut[j - 1];
    weights[weights.length - 1] += width / 6;
    points.push((cut[j] + cut[j - 1]) / 2, cut[j]);
    weights.push((4 * width) / 6, width / 6);
  }
  return { points, weights };
}

/** The sub-density h of a run still going after a look, on that look's grid. */
export interface LookDensity {
  information: number;
  points: number[];
  /** w_i·h(z_i): what Simpson sums. */
  weighted: number[];
  /** h(z_i). */
  values: number[];
  /**
   * Per panel j (midpoint b = z_{2j+1}, half-width d): ln h(b + t) ≈ logMid + t·(slope + t·curvature), the
   * quadratic through the panel's three values of ln h; curvature is NaN where one of them is 0.
   */
  logMid: number[];
  slope: number[];
  curvature: number[];
  /** Mass of the panels before panel j (length panels + 1). */
  cumulativeMass: number[];
}

/** Half-width of a kernel window in kernel widths: e^{−50} ≈ 2e-22 of a normal kernel lies beyond. */
export const KERNEL_REACH = 10;
/** Simpson steps across a refined window: a step of 0.31 kernel widths. */
const REFINED_STEPS = 64;

/** A LookDensity from its grid and Simpson-weighted values (what a stored state keeps). O(m). */
export function lookDensity(information: number, grid: SimpsonGrid, weighted: number[]): LookDensity {
  const { points, weights } = grid;
  const values = weighted.map((x, i) => x / weights[i]);
  const panels = Math.max(0, (points.length - 1) / 2);
  const cumulativeMass = [0];
  const logMid: number[] = [];
  const slope: number[] = [];
  const curvature: number[] = [];
  for (let j = 0; j < panels; j++) {
    const half = (points[2 * j + 2] - points[2 * j]) / 2;
    const [low, mid, high] = [values[2 * j], values[2 * j + 1], values[2 * j + 2]];
    cumulativeMass.push(cumulativeMass[j] + (half / 3) * (low + 4 * mid + high));
    const [lnLow, lnMid, lnHigh] = [Math.log(low), Math.log(mid), Math.log(high)];
    const degenerate = !(low > 0 && mid > 0 && high > 0);
    logMid.push(lnMid);
    slope.push(degenerate ? 0 : (lnHigh - lnLow) / (2 * half));
    curvature.push(degenerate ? Number.NaN : (lnHigh - 2 * lnMid + lnLow) / (2 * half * half));
  }
  return { information, points, weighted, values, logMid, slope, curvature, cumulativeMass };
}

/** Index j of the panel [z_2j, z_2j+2] holding y (clamped to the grid). O(log m). */
export function panelOf(density: LookDensity, y: number): number {
  const panels = (density.points.length - 1) / 2;
  let lo = 0;
  let hi = panels - 1;
  while (lo < hi) {
    const mid = (lo + hi + 1) >> 1;
    if (density.points[2 * mid] <= y) lo = mid;
    else hi = mid - 1;
  }
  return lo;
}

/** ln h(y) for y in panel j: the log-quadratic, or the log of linear interpolation where h touches 0. */
function logDensityAt(density: LookDensity, j: number, y: number): number {
  const t = y - density.points[2 * j + 1];
  const curvature = density.curvature[j];
  if (!Number.isNaN(curvature)) return density.logMid[j] + t * (density.slope[j] + t * curvature);
  const half = (density.points[2 * j + 2] - density.points[2 * j]) / 2;
  const mid = density.values[2 * j + 1];
  const end = t < 0 ? density.values[2 * j] : density.values[2 * j + 2];
  return Math.log(Math.max(0, mid + (end - mid) * Math.min(1, Math.abs(t) / half)));
}

/** Simpson's rule with `steps` equal steps on [lo, hi] ∩ grid of e^{ln h(y) + logFactor(y)}. */
function refined(
  density: LookDensity,
  from: number,
  to: number,
  steps: number,
  term: (logDensity: number, y: number) => number,
): number {
  const { points } = density;
  if (points.length < 3) return 0;
  const lo = Math.max(from, points[0]);
  const hi = Math.min(to, points[points.length - 1]);
  if (!(hi > lo)) return 0;
  const step = (hi - lo) / steps;
  const lastPanel = (points.length - 1) / 2 - 1;
  let j = panelOf(density, lo);
  let sum = 0;
  for (let s = 0; s <= steps; s++) {
    const y = s === steps ? hi : lo + s * step;
    while (j < lastPanel && points[2 * j + 2] < y) j++;
    const weight = s === 0 || s === steps ? 1 : s % 2 === 1 ? 4 : 2;
    sum += weight * term(logDensityAt(density, j, y), y);
  }
  return (sum * step) / 3;
}

/**
 * ∫ h(y)·g(y) dy over [from, to] ∩ grid by Simpson's rule with 64 equal steps on the interpolated density:
 * for integrands narrower than the grid's spacing. O(64 + log m).
 */
export function refinedIntegral(
  density: LookDensity,
  from: number,
  to: number,
  g: (y: number) => number,
): number {
  return refined(density, from, to, REFINED_STEPS, (logDensity, y) => Math.exp(logDensity) * g(y));
}

/** ∫ h(y)·e^{−½((centre − y)/width)²} dy: the normal kernel times h in one exponential. O(64 + log m). */
export function refinedKernelIntegral(density: LookDensity, centre: number, width: number): number {
  const reach = KERNEL_REACH * width;
  return refined(density, centre - reach, centre + reach, REFINED_STEPS, (logDensity, y) => {
    const d = (centre - y) / width;
    return Math.exp(logDensity - 0.5 * d * d);
  });
}

/** ∫ h over [from, to] ∩ grid: whole panels from their Simpson masses, the two partial ones interpolated. */
export function massBetween(density: LookDensity, from: number, to: number): number {
  const { points, cumulativeMass } = density;
  if (points.length < 3) return 0;
  const lo = Math.max(from, points[0]);
  const hi = Math.min(to, points[points.length - 1]);
  if (!(hi > lo)) return 0;
  const exp = (logDensity: number) => Math.exp(logDensity);
  const first = panelOf(density, lo);
  const last = panelOf(density, hi);
  if (first === last) return refined(density, lo, hi, 8, exp);
  return (
    refined(density, lo, points[2 * first + 2], 8, exp) +
    (cumulativeMass[last] - cumulativeMass[first + 1]) +
    refined(density, points[2 * last], hi, 8, exp)
  );
}
