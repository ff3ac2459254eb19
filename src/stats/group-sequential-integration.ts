/**
 * Recursive numerical integration for the canonical joint distribution of group-sequential statistics
 * (Armitage, McPherson & Rowe 1969; the grid of Jennison & Turnbull 2000, "Group Sequential Methods with
 * Applications to Clinical Trials", §19.2).
 *
 * Canonical form: Z_k = S_k/√I_k where S is a Brownian motion with drift θ observed at information levels
 * I_1 < I_2 < …, so E[Z_k] = θ√I_k and corr(Z_j, Z_k) = √(I_j/I_k) (only ratios of I matter). With
 * Δ = I_k − I_{k−1}, the density of Z_k = z given Z_{k−1} = y is
 *
 *   f(z | y) = √(I_k/Δ) · φ((z√I_k − y√I_{k−1} − θΔ)/√Δ),
 *
 * and the sub-density of a run that has not stopped by look k is h_k(z) = ∫ h_{k−1}(y) f(z | y) dy over
 * look k−1's continuation region, h_1(z) = φ(z − θ√I_1). Crossing probabilities at look k are the same
 * integral with f replaced by its tail (a normal CDF), so they cost O(grid) once h_{k−1} is known.
 *
 * The grid: r points per standard deviation around the mean μ_k = θ√I_k, denser near the centre and
 * logarithmically spaced in the tails out to μ_k ± (3 + 4 ln r) (J&T's x_i, i = 1 … 6r − 1), cut to the
 * continuation region (the boundaries themselves become end points), then every interval is halved and
 * integrated with Simpson's rule. J&T report about 1e-6 absolute error in crossing probabilities at
 * r = 16 (the default here) and that r = 32 is rarely needed. A look with m grid points costs
 * O(m_{k−1}·m_k) for the next density, m ≈ 12r.
 */
export const DEFAULT_GRID_POINTS_PER_SD = 16;

const INV_SQRT_2PI = 1 / Math.sqrt(2 * Math.PI);

// Cody's rational Chebyshev approximations for Φ (Cody 1993, ACM TOMS 715 `anorm`; R's pnorm), relative
// error ≈ 1e-16 in both tails. Root-finding a boundary evaluates a normal tail at every grid point about
// ten times per look; ./normal.ts's continued fraction needs thousands of terms for 0.7 < |z| < 3, which
// would make one look cost milliseconds instead of a fraction of one.
const CODY_A = [2.2352520354606839287, 161.02823106855587881, 1067.6894854603709582, 18154.981253343561249];
const CODY_A4 = 0.065682337918207449113;
const CODY_B = [47.20258190468824187, 976.09855173777669322, 10260.932208618978205, 45507.789335026729956];
const CODY_C = [
  0.39894151208813466764, 8.8831497943883759412, 93.506656132177855979, 597.27027639480026226,
  2494.5375852903726711, 6848.1904505362823326, 11602.651437647350124, 9842.7148383839780218,
];
const CODY_C8 = 1.0765576773720192317e-8;
const CODY_D = [
  22.266688044328115691, 235.38790178262499861, 1519.377599407554805, 6485.558298266760755,
  18615.571640885098091, 34900.952721145977266, 38912.003286093271411, 19685.429676859990727,
];
const CODY_P = [
  0.21589853405795699, 0.1274011611602473639, 0.022235277870649807, 0.001421619193227893466,
  2.9112874951168792e-5,
];
const CODY_P5 = 0.02307344176494017303;
const CODY_Q = [
  1.28426009614491121, 0.468238212480865118, 0.0659881378689285515, 0.00378239633202758244,
  7.29751555083966205e-5,
];

/** Φ(−y) for y ≥ 0.67448975 (the lower tail beyond the quartile), Cody's two outer ranges. */
function codyTail(y: number): number {
  if (y > 37.5193) return 0;
  let ratio: number;
  if (y <= Math.sqrt(32)) {
    let numerator = CODY_C8 * y;
    let denominator = y;
    for (let i = 0; i < 7; i++) {
      numerator = (numerator + CODY_C[i]) * y;
      denominator = (denominator + CODY_D[i]) * y;
    }
    ratio = (numerator + CODY_C[7]) / (denominator + CODY_D[7]);
  } else {
    const inverseSquare = 1 / (y * y);
    let numerator = CODY_P5 * inverseSquare;
    let denominator = inverseSquare;
    for (let i = 0; i < 4; i++) {
      numerator = (numerator + CODY_P[i]) * inverseSquare;
      denominator = (denominator + CODY_Q[i]) * inverseSquare;
    }
    ratio = (INV_SQRT_2PI - (inverseSquare * (numerator + CODY_P[4])) / (denominator + CODY_Q[4])) / y;
  }
  // e^{−y²/2} split at y rounded down to 1/16, so rounding y² costs no relative accuracy.
  const rounded = Math.trunc(y * 16) / 16;
  return Math.exp(-0.5 * rounded * rounded) * Math.exp(-0.5 * (y - rounded) * (y + rounded)) * ratio;
}

/** 1 − Φ(u), full relative accuracy in the upper tail. */
export function normalUpperTail(u: number): number {
  const y = Math.abs(u);
  if (y <= 0.67448975) {
    const square = u * u;
    let numerator = CODY_A4 * square;
    let denominator = square;
    for (let i = 0; i < 3; i++) {
      numerator = (numerator + CODY_A[i]) * square;
      denominator = (denominator + CODY_B[i]) * square;
    }
    return 0.5 - (u * (numerator + CODY_A[3])) / (denominator + CODY_B[3]);
  }
  const tail = codyTail(y);
  return u > 0 ? tail : 1 - tail;
}

/** Abscissae and Simpson weights over one look's continuation region. */
export interface SimpsonGrid {
  points: number[];
  weights: number[];
}

/** The weighted sub-density w_i·h_k(z_i) of a run still going after look k, on look k's grid. */
export interface LookDensity {
  information: number;
  points: number[];
  weighted: number[];
}

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

/** J&T's grid (before halving) around `mean`, cut to (lower, upper); empty when the region misses it. */
function cutGrid(mean: number, lower: number, upper: number, r: number): number[] {
  const raw: number[] = [];
  for (let i = 1; i < r; i++) raw.push(mean - 3 - 4 * Math.log(r / i));
  for (let i = r; i <= 5 * r; i++) raw.push(mean - 3 + (3 * (i - r)) / (2 * r));
  for (let i = 5 * r + 1; i < 6 * r; i++) raw.push(mean + 3 + 4 * Math.log(r / (6 * r - i)));
  const lo = Math.max(lower, raw[0]);
  const hi = Math.min(upper, raw[raw.length - 1]);
  if (!(hi > lo)) return [];
  const cut = [lo];
  for (const x of raw) if (x > lo && x < hi) cut.push(x);
  cut.push(hi);
  return cut;
}

/** Grid with Simpson weights on (lower, upper) for a look whose statistic has the given mean. */
export function simpsonGrid(mean: number, lower: number, upper: number, r: number): SimpsonGrid {
  const cut = cutGrid(mean, lower, upper, r);
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

/** Sub-density after the first look: w_i·φ(z_i − θ√I_1) on the grid of (lower, upper). */
export function firstLookDensity(
  information: number,
  theta: number,
  lower: number,
  upper: number,
  r: number,
): LookDensity {
  const mean = theta * Math.sqrt(information);
  const { points, weights } = simpsonGrid(mean, lower, upper, r);
  const weighted = points.map((z, i) => weights[i] * INV_SQRT_2PI * Math.exp(-0.5 * (z - mean) ** 2));
  return { information, points, weighted };
}

/** Sub-density after look k (continuation region (lower, upper)) from the one after look k − 1. */
export function nextDensity(
  previous: LookDensity,
  information: number,
  theta: number,
  lower: number,
  upper: number,
  r: number,
): LookDensity {
  const delta = information - previous.information;
  const sqrtInfo = Math.sqrt(information);
  const { points, weights } = simpsonGrid(theta * sqrtInfo, lower, upper, r);
  const scale = Math.sqrt(information / delta) * INV_SQRT_2PI;
  const half = 0.5 / delta;
  const from = previous.points.map((y) => y * Math.sqrt(previous.information) + theta * delta);
  const mass = previous.weighted;
  const weighted = new Array<number>(points.length);
  // Both grids ascend, so the terms above e^{−50} (|target − from| < 10√Δ) form a sliding window; the rest
  // change no sum by more than 2e-22 of the mass and skipping them is most of the speed at many looks.
  const reach = 10 * Math.sqrt(delta);
  let first = 0;
  for (let j = 0; j < points.length; j++) {
    const target = points[j] * sqrtInfo;
    while (first < from.length && from[first] < target - reach) first++;
    let sum = 0;
    for (let i = first; i < from.length && from[i] <= target + reach; i++) {
      const d = target - from[i];
      sum += mass[i] * Math.exp(-half * d * d);
    }
    weighted[j] = weights[j] * scale * sum;
  }
  return { information, points, weighted };
}

/**
 * P(continue to look k, Z_k ≥ upper) and its derivative in `upper` (≤ 0), from the density after look
 * k − 1. Before the first look (previous = null) this is the normal tail of Z_1.
 */
export function upperCrossing(
  previous: LookDensity | null,
  information: number,
  theta: number,
  upper: number,
): { probability: number; slope: number } {
  if (upper === Number.POSITIVE_INFINITY) return { probability: 0, slope: 0 };
  if (previous === null) {
    const u = upper - theta * Math.sqrt(information);
    return { probability: normalUpperTail(u), slope: -INV_SQRT_2PI * Math.exp(-0.5 * u * u) };
  }
  const delta = information - previous.information;
  const sqrtDelta = Math.sqrt(delta);
  const target = upper * Math.sqrt(information) - theta * delta;
  const sqrtPrevious = Math.sqrt(previous.information);
  let probability = 0;
  let slope = 0;
  for (let i = 0; i < previous.points.length; i++) {
    const u = (target - previous.points[i] * sqrtPrevious) / sqrtDelta;
    probability += previous.weighted[i] * normalUpperTail(u);
    slope -= previous.weighted[i] * INV_SQRT_2PI * Math.exp(-0.5 * u * u);
  }
  return { probability, slope: (slope * Math.sqrt(information)) / sqrtDelta };
}

/** P(continue to look k, Z_k ≤ lower), from the density after look k − 1 (null before the first look). */
export function lowerCrossing(
  previous: LookDensity | null,
  information: number,
  theta: number,
  lower: number,
): number {
  if (lower === Number.NEGATIVE_INFINITY) return 0;
  if (previous === null) return normalUpperTail(theta * Math.sqrt(information) - lower);
  const sqrtDelta = Math.sqrt(information - previous.information);
  const target = lower * Math.sqrt(information) - theta * (information - previous.information);
  const sqrtPrevious = Math.sqrt(previous.information);
  let probability = 0;
  for (let i = 0; i < previous.points.length; i++)
    probability +=
      previous.weighted[i] * normalUpperTail(-(target - previous.points[i] * sqrtPrevious) / sqrtDelta);
  return probability;
}

/**
 * First-crossing probabilities of given boundaries: upper[k] = P(a_j < Z_j < b_j for j < k, Z_k ≥ b_k) and
 * lower[k] likewise for Z_k ≤ a_k, with E[Z_k] = θ√I_k. Boundaries may be ±∞. O(K·m²).
 */
export function crossingProbabilities(
  information: readonly number[],
  lowerBounds: readonly number[],
  upperBounds: readonly number[],
  theta: number,
  r: number = DEFAULT_GRID_POINTS_PER_SD,
): { upper: number[]; lower: number[] } {
  requireInformationLevels(information);
  requireGridPointsPerSd(r);
  if (!Number.isFinite(theta)) throw new RangeError(`theta must be finite, got ${theta}`);
  for (const [name, bounds] of [
    ["lowerBounds", lowerBounds],
    ["upperBounds", upperBounds],
  ] as const) {
    if (bounds.length !== information.length)
      throw new RangeError(
        `${name} must have one entry per look (${information.length}), got ${bounds.length}`,
      );
    bounds.forEach((b, k) => {
      if (Number.isNaN(b) || typeof b !== "number")
        throw new RangeError(`${name}[${k}] must be a number, got ${b}`);
    });
  }
  const upper: number[] = [];
  const lower: number[] = [];
  let density: LookDensity | null = null;
  for (let k = 0; k < information.length; k++) {
    upper.push(upperCrossing(density, information[k], theta, upperBounds[k]).probability);
    lower.push(lowerCrossing(density, information[k], theta, lowerBounds[k]));
    if (k === information.length - 1) break;
    density =
      density === null
        ? firstLookDensity(information[k], theta, lowerBounds[k], upperBounds[k], r)
        : nextDensity(density, information[k], theta, lowerBounds[k], upperBounds[k], r);
  }
  return { upper, lower };
}
