/**
 * What a release engineer tells `modelgate plan` besides traffic and gate settings: the laws the data
 * are assumed to follow (`--assume`) and the regressions each gate must catch (`--regression`), both
 * as `name=value` lists, parsed once here into typed values. An unknown name is an error naming it and
 * the closest known one; a value out of range names the flag, the name and the range.
 */
import { didYouMean } from "../closest-name.js";
import { GATE_NAMES, type GateName } from "../gates/registry.js";

/** A bad command-line value: `flag` is what the user typed (e.g. `--assume prevalence`). */
export class PlanInputError extends Error {
  constructor(
    readonly flag: string,
    message: string,
  ) {
    super(`${flag}: ${message}`);
  }
}

export interface Assumptions {
  /** sd of ln(latency), both arms (log-normal latencies) */
  latencyLogSd: number;
  /** the baseline's AUC (binormal scores) */
  baselineAuc: number;
  /** share of positives among labelled outcomes */
  prevalence: number;
  /** the baseline's selection rate, the same in every group (parity 1) */
  selectionRate: number;
  /** groups of the protected attribute, equally large */
  groups: number;
  /** the baseline's error rate (errored events carry no score, decision or label) */
  errorRate: number;
}

export const DEFAULT_ASSUMPTIONS: Readonly<Assumptions> = {
  latencyLogSd: 0.5,
  baselineAuc: 0.8,
  prevalence: 0.3,
  selectionRate: 0.3,
  groups: 2,
  errorRate: 0.005,
};

type Check = { test: (x: number) => boolean; range: string };
const open01: Check = { test: (x) => x > 0 && x < 1, range: "a number in (0, 1)" };

const ASSUMPTION_CHECKS: Record<keyof Assumptions, Check> = {
  latencyLogSd: { test: (x) => x > 0 && x <= 5, range: "a number in (0, 5]" },
  baselineAuc: { test: (x) => x > 0.5 && x < 1, range: "a number in (0.5, 1)" },
  prevalence: open01,
  selectionRate: open01,
  groups: { test: (x) => Number.isInteger(x) && x >= 2 && x <= 100, range: "an integer in [2, 100]" },
  errorRate: { test: (x) => x >= 0 && x < 0.5, range: "a number in [0, 0.5)" },
};

/** The regression each gate must catch, in the gate's own terms. */
export interface Regressions {
  /** candidate/baseline ratio of the judged latency quantile */
  latency: number;
  /** change of the AUC (negative: a drop) */
  auc: number;
  /** the candidate's demographic parity ratio (the baseline's is 1) */
  fairness: number;
  /** absolute increase of the error rate */
  errors: number;
  /** PSI of the candidate's scores against the baseline's */
  drift: number;
}

export const DEFAULT_REGRESSIONS: Readonly<Regressions> = {
  latency: 1.3,
  auc: -0.05,
  fairness: 0.8,
  errors: 0.01,
  drift: 0.5,
};

const REGRESSION_CHECKS: Record<GateName, Check> = {
  latency: { test: (x) => x > 0, range: "a ratio > 0 (e.g. 1.3)" },
  auc: { test: (x) => x > -0.5 && x < 0, range: "a change of the AUC in (−0.5, 0) (e.g. -0.05)" },
  fairness: { test: (x) => x > 0 && x < 1, range: "a parity ratio in (0, 1) (e.g. 0.8)" },
  errors: { test: (x) => x > 0 && x < 1, range: "an increase of the error rate in (0, 1) (e.g. +0.01)" },
  drift: { test: (x) => x > 0, range: "a PSI > 0 (e.g. 0.5)" },
};

/** `a=1,b=2` (repeatable) → name/value pairs, each name at most once. */
function pairs(flag: string, texts: readonly string[], known: readonly string[]): Map<string, string> {
  const out = new Map<string, string>();
  for (const text of texts) {
    for (const item of text.split(",")) {
      const eq = item.indexOf("=");
      const name = item.slice(0, Math.max(0, eq)).trim();
      if (eq <= 0 || name === "") throw new PlanInputError(flag, `expects NAME=VALUE, got "${item.trim()}"`);
      if (!known.includes(name))
        throw new PlanInputError(
          `${flag} ${name}`,
          `unknown name${didYouMean(name, known)}; known: ${known.join(", ")}`,
        );
      if (out.has(name)) throw new PlanInputError(`${flag} ${name}`, "is given twice");
      out.set(name, item.slice(eq + 1).trim());
    }
  }
  return out;
}

/** A number written plainly or with a leading + (`+0.01`), checked against its range. */
function numberOf(flag: string, name: string, text: string, check: Check): number {
  const x = /^[+-]?(\d+\.?\d*|\.\d+)(e[+-]?\d+)?$/i.test(text) ? Number(text) : Number.NaN;
  if (!(Number.isFinite(x) && check.test(x)))
    throw new PlanInputError(`${flag} ${name}`, `must be ${check.range}, got "${text}"`);
  return x;
}

export function parseAssumptions(texts: readonly string[]): Assumptions {
  const names = Object.keys(ASSUMPTION_CHECKS) as (keyof Assumptions)[];
  const given = pairs("--assume", texts, names);
  const out = { ...DEFAULT_ASSUMPTIONS };
  for (const [name, text] of given) {
    const key = name as keyof Assumptions;
    out[key] = numberOf("--assume", name, text, ASSUMPTION_CHECKS[key]);
  }
  return out;
}

export function parseRegressions(texts: readonly string[]): Regressions {
  const given = pairs("--regression", texts, GATE_NAMES);
  const out = { ...DEFAULT_REGRESSIONS };
  for (const [name, text] of given) {
    const gate = name as GateName;
    out[gate] = numberOf("--regression", name, text, REGRESSION_CHECKS[gate]);
  }
  return out;
}
