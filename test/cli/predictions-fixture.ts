/**
 * Seeded predictions files for the CLI and report tests: rows as a scoring service would log them
 * (score, label, latencyMs, error, group), written as CSV or NDJSON. The raw rows are returned so a
 * test can recompute what the judge and the plots should show.
 */
import { mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { mulberry32, randomNormal } from "../../src/stats/random.js";

export interface Row {
  score: number;
  label: 0 | 1;
  latencyMs: number;
  error: boolean;
  group: string;
  ts?: number;
}

export interface CohortSpec {
  n: number;
  seed: number;
  /** separation of positive scores (binormal d) */
  separation?: number;
  /** median latency, ms */
  latencyMs?: number;
  errorRate?: number;
  /** logit shift of scores for group "b" (a selection-rate gap between groups) */
  groupBShift?: number;
  /** first timestamp (epoch ms) and spacing; rows carry no ts when undefined */
  startTs?: number;
  stepMs?: number;
}

const logistic = (z: number) => 1 / (1 + Math.exp(-z));

export function makeRows(spec: CohortSpec): Row[] {
  const random = mulberry32(spec.seed);
  const rows: Row[] = [];
  for (let i = 0; i < spec.n; i++) {
    const label = random() < 0.3 ? 1 : 0;
    const group = random() < 0.5 ? "a" : "b";
    const z = randomNormal(
      random,
      label * (spec.separation ?? 2) - 0.6 + (group === "b" ? (spec.groupBShift ?? 0) : 0),
      1,
    );
    const row: Row = {
      score: Number(logistic(z).toFixed(6)),
      label,
      latencyMs: Number(((spec.latencyMs ?? 50) * Math.exp(randomNormal(random, 0, 0.3))).toFixed(3)),
      error: random() < (spec.errorRate ?? 0.01),
      group,
    };
    if (spec.startTs !== undefined) row.ts = spec.startTs + i * (spec.stepMs ?? 1000);
    rows.push(row);
  }
  return rows;
}

export const toCsv = (rows: Row[]) =>
  `score,label,latencyMs,error,group.sex${rows[0]?.ts !== undefined ? ",ts" : ""}\n${rows
    .map(
      (r) =>
        `${r.score},${r.label},${r.latencyMs},${r.error},${r.group}${r.ts !== undefined ? `,${r.ts}` : ""}`,
    )
    .join("\n")}\n`;

export const toNdjson = (rows: Row[]) =>
  `${rows.map((r) => JSON.stringify({ score: r.score, label: r.label, latencyMs: r.latencyMs, error: r.error, groups: { sex: r.group }, ...(r.ts !== undefined ? { ts: r.ts } : {}) })).join("\n")}\n`;

export function tempDir(): string {
  return mkdtempSync(join(tmpdir(), "modelgate-cli-"));
}

export function writeFile(dir: string, name: string, text: string): string {
  const path = join(dir, name);
  writeFileSync(path, text);
  return path;
}
