import { readdirSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { createServiceMetrics } from "../../src/api/metrics.js";
import { build, MANIFESTS, one, ROOT } from "./kustomize.js";
import { promtoolCheckRules, promtoolTestRules } from "./validate.js";

const monitoring = () => build("monitoring");
const rule = () => one(monitoring(), "PrometheusRule", "modelgate");
const dashboard = () =>
  JSON.parse(readFileSync(join(MANIFESTS, "monitoring", "modelgate-dashboard.json"), "utf8")) as {
    panels: { title: string; targets: { expr: string }[] }[];
    templating: { list: { name: string; query?: unknown }[] };
    annotations: { list: { expr?: string }[] };
  };

/** Metric names docs/kubernetes.md documents as what modelgate exports (its metrics table). */
function documentedMetrics(): Set<string> {
  const doc = readFileSync(join(ROOT, "docs", "kubernetes.md"), "utf8");
  return new Set([...doc.matchAll(/^\| `(modelgate_[a-z0-9_]+)`/gm)].map((m) => m[1]!));
}

/**
 * modelgate_* series an expression reads (histogram suffixes folded into the histogram's name);
 * recording rules' names (`level:metric:operations`, with colons) are the rule's own, not exported.
 */
function metricsIn(expr: string): string[] {
  return [...expr.matchAll(/(?<![\w:])(modelgate_[a-z0-9_]+)(?![\w:])/g)].map((m) =>
    m[1]!.replace(/_(bucket|sum|count)$/, ""),
  );
}

function dashboardExprs(): string[] {
  const d = dashboard();
  return [
    ...d.panels.flatMap((p) => p.targets.map((t) => t.expr)),
    ...d.annotations.list.flatMap((a) => (a.expr ? [a.expr] : [])),
  ];
}

describe("PrometheusRule", () => {
  it("parses with promtool (every expression and alert template)", () => {
    const groups = rule().spec.groups;
    const { ok, output } = promtoolCheckRules(groups);
    expect(output).toContain(
      `SUCCESS: ${groups.flatMap((g: { rules: unknown[] }) => g.rules).length} rules found`,
    );
    expect(ok).toBe(true);
  });

  it("alerts on what a model owner wants, at the documented thresholds", () => {
    const alerts = Object.fromEntries(
      rule()
        .spec.groups.flatMap((g: { rules: { alert: string; expr: string }[] }) => g.rules)
        .map((r: { alert: string; expr: string }) => [r.alert, r.expr.replace(/\s+/g, " ").trim()]),
    );
    expect(alerts.ModelGateDriftHigh).toContain(
      'max by (model) (modelgate_gate_value{gate="drift", metric="psi"}) > 0.25',
    );
    expect(alerts.ModelGateLatencyOverSLO).toBe(
      "histogram_quantile(0.95, sum by (model, version, le) (rate(modelgate_latency_seconds_bucket[10m]))) > scalar(modelgate:latency_slo:threshold_seconds)",
    );
    expect(alerts.ModelGateAucDrop).toContain(
      'min by (model) (modelgate_gate_value{gate="auc", metric="auc_delta"}) < -0.02',
    );
    expect(alerts.ModelGateVerdictFailed).toMatch(
      /modelgate_judgements:increase15m\{gate="overall", verdict="fail"\}/,
    );
    expect(alerts.ModelGateFairnessBelowFloor).toContain('metric="parity_ratio"}) < 0.8');
    expect(Object.keys(alerts)).toContain("ModelGateJudgeErrors");
  });
});

describe("Grafana dashboard", () => {
  it("parses, and every query is valid PromQL (promtool)", () => {
    const exprs = dashboardExprs();
    expect(exprs.length).toBeGreaterThanOrEqual(10);
    // Grafana's $__range and $model are not PromQL: substitute what Grafana would before parsing.
    const rules = exprs.map((expr, i) => ({
      record: `dashboard:query_${i}`,
      expr: expr.replaceAll("$__range", "6h").replaceAll("$model", ".*"),
    }));
    const { ok, output } = promtoolCheckRules([{ name: "dashboard", rules }]);
    expect(output).toContain(`SUCCESS: ${exprs.length} rules found`);
    expect(ok).toBe(true);
  });

  it("counts a model's first fail verdict (a counter series born inside the range), evaluated by promtool", () => {
    // the verdict queries, as Grafana sends them for a 15 min range and every model
    const verdictQueries = dashboardExprs()
      .filter((e) => e.includes("increase(modelgate_judgements_total"))
      .map((e) => e.replaceAll("$__range", "15m").replaceAll("$model", ".*"));
    expect(verdictQueries).toHaveLength(3);
    const [annotation, overall, byGate] = [
      verdictQueries.find((e) => e.startsWith("sum by (model)")),
      verdictQueries.find((e) => e.startsWith("sum by (verdict)")),
      verdictQueries.find((e) => e.startsWith("sum by (gate)")),
    ];
    const rules = [
      { record: "dashboard:annotation", expr: annotation },
      { record: "dashboard:overall", expr: overall },
      { record: "dashboard:by_gate", expr: byGate },
    ];
    // prom-client creates a series at its first count: the fail series appear at 10m with value 1,
    // the pass series existed before the range and counts 3 more at 10m
    const series = (labels: string, values: string) => ({
      series: `modelgate_judgements_total{model="fraud", ${labels}}`,
      values,
    });
    const doc = {
      rule_files: ["rules.yaml"],
      evaluation_interval: "1m",
      tests: [
        {
          interval: "1m",
          input_series: [
            series('gate="overall", verdict="fail"', "_x10 1x10"),
            series('gate="latency", verdict="fail"', "_x10 1x10"),
            series('gate="overall", verdict="pass"', "1x9 4x13"),
          ],
          promql_expr_test: [
            // the annotation marks the minute of the first fail, and only that minute
            {
              expr: "dashboard:annotation",
              eval_time: "10m",
              exp_samples: [{ labels: 'dashboard:annotation{model="fraud"}', value: 1 }],
            },
            { expr: "dashboard:annotation", eval_time: "12m", exp_samples: [] },
            {
              expr: "dashboard:overall",
              eval_time: "20m",
              exp_samples: [
                { labels: 'dashboard:overall{verdict="fail"}', value: 1 },
                { labels: 'dashboard:overall{verdict="pass"}', value: 3 },
              ],
            },
            {
              expr: "dashboard:by_gate",
              eval_time: "20m",
              exp_samples: [{ labels: 'dashboard:by_gate{gate="latency"}', value: 1 }],
            },
          ],
        },
      ],
    };
    const { ok, output } = promtoolTestRules(
      [{ name: "dashboard", rules }],
      [{ name: "dashboard.yaml", doc }],
    );
    expect(output).toContain("SUCCESS");
    expect(ok).toBe(true);
  });

  it("offers a model variable and is shipped as a ConfigMap Grafana's sidecar picks up", () => {
    expect(dashboard().templating.list.map((v) => v.name)).toEqual(["datasource", "model"]);
    const cm = one(monitoring(), "ConfigMap", "modelgate-dashboard");
    expect(cm.metadata.labels?.grafana_dashboard).toBe("1");
    expect(JSON.parse(cm.data["modelgate-dashboard.json"])).toEqual(dashboard());
  });
});

describe("metric names", () => {
  it("are all documented in docs/kubernetes.md", () => {
    const documented = documentedMetrics();
    expect(documented.size).toBeGreaterThanOrEqual(4);
    const used = new Set([
      ...rule().spec.groups.flatMap((g: { rules: { expr: string }[] }) =>
        g.rules.flatMap((r) => metricsIn(r.expr)),
      ),
      ...dashboardExprs().flatMap(metricsIn),
    ]);
    expect([...used].filter((m) => !documented.has(m))).toEqual([]);
  });

  it("include the HTTP metrics the service already exports, under the same names", async () => {
    const registry = createServiceMetrics({ defaultMetrics: false }).registry;
    const exported = (await registry.getMetricsAsJSON())
      .map((m) => m.name)
      .filter((n) => n.startsWith("modelgate_http_"));
    expect(exported.length).toBeGreaterThan(0);
    const documented = documentedMetrics();
    for (const name of exported) expect(documented.has(name), name).toBe(true);
  });
});

describe("the judge's own metrics", () => {
  /** `name{label="value", …}` selectors of a metric in the rules and the dashboard. */
  function selectors(metric: string): Record<string, string>[] {
    const exprs = [
      ...rule().spec.groups.flatMap((g: { rules: { expr: string }[] }) => g.rules.map((r) => r.expr)),
      ...dashboardExprs(),
    ];
    return exprs.flatMap((e) =>
      [...e.matchAll(new RegExp(`${metric}\\{([^}]*)\\}`, "g"))].map((m) =>
        Object.fromEntries(
          [...m[1]!.matchAll(/(\w+)\s*(?:=~|!=|=)\s*"([^"]*)"/g)].map((x) => [x[1]!, x[2]!]),
        ),
      ),
    );
  }

  it("are registered by the judge router with the labels the rules select on", async () => {
    const { Registry } = await import("prom-client");
    const { createJudgeRouter } = await import("../../src/api/routes/judge.js");
    const registry = new Registry();
    createJudgeRouter({
      sources: {},
      defaultSource: "embedded",
      history: {} as never,
      metricsRegistry: registry,
    });
    for (const name of ["modelgate_judgements_total", "modelgate_gate_value"]) {
      const metric = registry.getSingleMetric(name) as unknown as { labelNames: string[] } | undefined;
      expect(metric, name).toBeDefined();
      const used = selectors(name);
      expect(used.length, name).toBeGreaterThan(0);
      for (const sel of used)
        for (const label of Object.keys(sel)) expect(metric!.labelNames, `${name} ${label}`).toContain(label);
    }
  });

  it("use decisive metric names the gates report", () => {
    const gatesDir = join(ROOT, "src", "gates");
    const source = readdirSync(gatesDir)
      .filter((f) => f.endsWith(".ts"))
      .map((f) => readFileSync(join(gatesDir, f), "utf8"))
      .join("\n");
    for (const sel of selectors("modelgate_gate_value")) {
      // latency's name is built from the quantile (`${qLabel}_ratio`), the others are literals.
      const literal = sel.metric === "p95_ratio" ? "_ratio`" : `metric: "${sel.metric}"`;
      expect(source.includes(literal), `gate metric ${sel.gate}/${sel.metric}`).toBe(true);
    }
  });
});

describe("ServiceMonitor", () => {
  it("scrapes /metrics on the named port of the base Service", () => {
    const sm = one(monitoring(), "ServiceMonitor", "modelgate");
    const svc = one(build("base"), "Service", "modelgate");
    for (const [k, v] of Object.entries(sm.spec.selector.matchLabels))
      expect(svc.metadata.labels?.[k]).toBe(v);
    expect(sm.spec.namespaceSelector.matchNames).toEqual([svc.metadata.namespace]);
    expect(sm.spec.endpoints).toHaveLength(1);
    expect(svc.spec.ports.map((p: { name: string }) => p.name)).toContain(sm.spec.endpoints[0].port);
    expect(sm.spec.endpoints[0].path).toBe("/metrics");
    // The ModelGateDown alert's job label is the Service name under the Prometheus Operator.
    const down = rule()
      .spec.groups.flatMap((g: { rules: { alert?: string; expr: string }[] }) => g.rules)
      .find((r: { alert?: string }) => r.alert === "ModelGateDown");
    expect(down.expr).toBe(`up{job="${svc.metadata.name}"} == 0 or absent(up{job="${svc.metadata.name}"})`);
  });
});
