/**
 * The PrometheusRule's alerts, tested with promtool's rule unit tests (test/manifests/alerts/*.yaml)
 * on the rule as `kubectl kustomize manifests/monitoring` ships it: each alert fires on a series that
 * should fire it and stays silent on one that should not. Also: the tests cover every alert and
 * catch a broken one, and the SLO settings (manifests/monitoring/settings) change what fires.
 */
import { readdirSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { parse } from "yaml";
import { build, ROOT } from "./kustomize.js";
import { promtoolTestRules } from "./validate.js";

interface Rule {
  alert?: string;
  record?: string;
  expr: string;
  annotations?: Record<string, string>;
}
interface Group {
  name: string;
  rules: Rule[];
}

const TESTS_DIR = join(ROOT, "test", "manifests", "alerts");
const TEST_FILES = readdirSync(TESTS_DIR)
  .filter((f) => f.endsWith(".yaml"))
  .map((f) => join(TESTS_DIR, f));

function ruleGroups(kustomization: string): Group[] {
  const rule = build(kustomization).find(
    (o) => o.kind === "PrometheusRule" && o.metadata.name === "modelgate",
  );
  if (!rule) throw new Error(`no PrometheusRule modelgate in manifests/${kustomization}`);
  return structuredClone(rule.spec.groups as Group[]);
}

const alertNames = (groups: Group[]) =>
  groups.flatMap((g) => g.rules.flatMap((r) => (r.alert ? [r.alert] : [])));

/** Every alert_rule_test of the test files: which alert, and whether it expects alerts. */
function alertCases(): { file: string; alertname: string; fires: boolean }[] {
  return TEST_FILES.flatMap((file) => {
    const doc = parse(readFileSync(file, "utf8")) as {
      tests: { alert_rule_test?: { alertname: string; exp_alerts?: unknown[] }[] }[];
    };
    return doc.tests.flatMap((t) =>
      (t.alert_rule_test ?? []).map((c) => ({
        file,
        alertname: c.alertname,
        fires: (c.exp_alerts ?? []).length > 0,
      })),
    );
  });
}

/** Alert names of promtool's failure blocks, split by what the failing case expected. */
function failures(output: string): { expectedFiring: Set<string>; expectedSilent: Set<string> } {
  const expectedFiring = new Set<string>();
  const expectedSilent = new Set<string>();
  for (const m of output.matchAll(/alertname: (\w+), time: [^,]+,\s*exp:\[(\]?)/g)) {
    (m[2] === "]" ? expectedSilent : expectedFiring).add(m[1]!);
  }
  return { expectedFiring, expectedSilent };
}

function withAlertExprs(groups: Group[], expr: string): Group[] {
  return groups.map((g) => ({
    ...g,
    rules: g.rules.map((r) => (r.alert ? { ...r, expr } : r)),
  }));
}

describe("promtool unit tests of the shipped alerts", () => {
  it("pass on the PrometheusRule that manifests/monitoring builds", () => {
    expect(TEST_FILES.length).toBeGreaterThanOrEqual(4);
    const { ok, output } = promtoolTestRules(ruleGroups("monitoring"), TEST_FILES);
    expect(output).not.toContain("FAILED");
    expect(output.match(/SUCCESS/g)?.length).toBe(TEST_FILES.length);
    expect(ok).toBe(true);
  }, 120_000);

  it("cover every alert with a case where it fires and one where it stays silent, and no other alert", () => {
    const shipped = alertNames(ruleGroups("monitoring"));
    expect(shipped.length).toBeGreaterThanOrEqual(12);
    const cases = alertCases();
    // A misspelt alertname would make a silent case pass without testing anything.
    expect([...new Set(cases.map((c) => c.alertname))].filter((a) => !shipped.includes(a))).toEqual([]);
    for (const alert of shipped) {
      expect(
        cases.some((c) => c.alertname === alert && c.fires),
        `${alert} has a firing case`,
      ).toBe(true);
      expect(
        cases.some((c) => c.alertname === alert && !c.fires),
        `${alert} has a silent case`,
      ).toBe(true);
    }
  });

  it("fail for every alert when the alerts never fire, and when they always fire", () => {
    const groups = ruleGroups("monitoring");
    const shipped = alertNames(groups);

    const never = promtoolTestRules(withAlertExprs(groups, "vector(1) > 2"), TEST_FILES);
    expect(never.ok).toBe(false);
    expect([...failures(never.output).expectedFiring].sort()).toEqual([...shipped].sort());

    const always = promtoolTestRules(withAlertExprs(groups, "vector(1)"), TEST_FILES);
    expect(always.ok).toBe(false);
    expect([...failures(always.output).expectedSilent].sort()).toEqual([...shipped].sort());
  }, 240_000);
});

describe("SLO settings (manifests/monitoring/settings, as manifests/examples/monitoring-settings uses it)", () => {
  const record = (groups: Group[], name: string) =>
    groups.flatMap((g) => g.rules).find((r) => r.record === name)?.expr;

  it("set the objectives, the latency threshold and the runbook base URL, and nothing else", () => {
    const base = ruleGroups("monitoring");
    const custom = ruleGroups("examples/monitoring-settings");
    const settings = parse(
      readFileSync(join(ROOT, "manifests", "examples", "monitoring-settings", "settings.yaml"), "utf8"),
    ).data as Record<string, string>;
    expect(record(base, "modelgate:error_slo:objective")).toBe("0.999");
    expect(record(base, "modelgate:latency_slo:objective")).toBe("0.99");
    expect(record(base, "modelgate:latency_slo:threshold_seconds")).toBe("0.5");
    expect(record(custom, "modelgate:error_slo:objective")).toBe(settings.errorObjective);
    expect(record(custom, "modelgate:latency_slo:objective")).toBe(settings.latencyObjective);
    expect(record(custom, "modelgate:latency_slo:threshold_seconds")).toBe(settings.latencyThresholdSeconds);
    expect(settings.errorObjective).not.toBe("0.999");

    // Put the defaults back into the custom rule: what is left must be the shipped rule.
    const defaultsBack = structuredClone(custom);
    for (const rule of defaultsBack.flatMap((g) => g.rules)) {
      const url = rule.annotations?.runbook_url;
      if (url !== undefined) {
        expect(url.startsWith(`${settings.runbookBaseUrl}/docs/runbooks/`), url).toBe(true);
        rule.annotations!.runbook_url = url.replace(
          settings.runbookBaseUrl!,
          "https://github.com/modelgate/modelgate/blob/main",
        );
      }
      if (rule.record === "modelgate:error_slo:objective") rule.expr = "0.999";
      if (rule.record === "modelgate:latency_slo:objective") rule.expr = "0.99";
      if (rule.record === "modelgate:latency_slo:threshold_seconds") rule.expr = "0.5";
    }
    expect(defaultsBack).toEqual(base);
  });

  it("decide what fires", () => {
    // One version with 2% errors; another with 13% of predictions slower than 0.5 s and 30% slower
    // than 0.25 s (the series of alerts/slo.yaml). Both cases expect silence.
    const bucket = (le: string, perMinute: number) => ({
      series: `modelgate_latency_seconds_bucket{model="fraud", version="slow", le="${le}"}`,
      values: `0+${perMinute}x70`,
    });
    const doc = {
      rule_files: ["rules.yaml"],
      evaluation_interval: "1m",
      tests: [
        {
          interval: "1m",
          input_series: [
            { series: 'modelgate_predictions_total{model="fraud", version="errors"}', values: "0+1000x70" },
            {
              series: 'modelgate_prediction_errors_total{model="fraud", version="errors"}',
              values: "0+20x70",
            },
            bucket("0.1", 50),
            bucket("0.25", 70),
            bucket("0.5", 87),
            bucket("1", 100),
            bucket("+Inf", 100),
          ],
          alert_rule_test: [
            { eval_time: "65m", alertname: "ModelGateErrorBudgetFastBurn", exp_alerts: [] },
            { eval_time: "65m", alertname: "ModelGateLatencyBudgetFastBurn", exp_alerts: [] },
          ],
        },
      ],
    };
    const tests = [{ name: "slo-settings.yaml", doc }];
    // Defaults: 2% errors are 20x a 0.1% budget (fires); 13% slow is 13x a 1% budget (silent).
    const shipped = promtoolTestRules(ruleGroups("monitoring"), tests);
    expect(shipped.ok).toBe(false);
    expect(failures(shipped.output).expectedSilent).toEqual(new Set(["ModelGateErrorBudgetFastBurn"]));
    // The example's settings: 2% errors are 4x a 0.5% budget (silent); 30% slower than 0.25 s is
    // 300x a 0.1% budget (fires).
    const custom = promtoolTestRules(ruleGroups("examples/monitoring-settings"), tests);
    expect(custom.ok).toBe(false);
    expect(failures(custom.output).expectedSilent).toEqual(new Set(["ModelGateLatencyBudgetFastBurn"]));
  }, 120_000);
});
