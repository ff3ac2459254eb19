/**
 * The Argo emulation checked against Argo's own expectations: cases and expected values are taken
 * from argo-rollouts' metricproviders/webmetric/webmetric_test.go and utils/evaluate/evaluate_test.go,
 * from the rules of analysis/analysis.go (see analysis-run.ts), and, where an outcome or message is
 * quoted, from running Argo's own code on the case (test/fixtures/reference/argo-oracle; the
 * whole corpus is checked in oracle.test.ts). The HTTP side is a stub fetch returning fixed
 * responses, so each case is exactly Argo's.
 */
import { describe, expect, it } from "vitest";
import { AnalysisRun, type AnalysisTemplate, mergeArgs, resolveMetric } from "./analysis-run.js";
import type { ArgoVersion } from "./argo-versions.js";
import { type ExprDialect, evalCondition } from "./expr.js";
import type { GoValue } from "./go-values.js";
import { findResults, NotEmulated, parseJsonPath, ZeroValuePanic } from "./jsonpath.js";
import { evaluateResult, type Metric, runWebMetric, type WebMetric } from "./web-provider.js";

/** The error EvalCondition reports for a condition, or undefined when it evaluates. */
function conditionError(result: GoValue, condition: string, dialect: ExprDialect = "v1.15.5") {
  try {
    evalCondition(result, condition, dialect);
    return undefined;
  } catch (e) {
    if (e instanceof NotEmulated) throw e;
    return (e as Error).message;
  }
}

const stub =
  (status: number, body: string, seen: { init?: RequestInit; url?: string }[] = []): typeof fetch =>
  async (url, init) => {
    seen.push({ url: String(url), init });
    return new Response(status === 204 ? null : body, { status });
  };

const metric = (web: Partial<WebMetric>, conditions: Partial<Metric> = {}): Metric => ({
  name: "foo",
  provider: { web: { url: "http://127.0.0.1:1/x", ...web } },
  ...conditions,
});

describe("client-go JSONPath", () => {
  const data = { summary: { verdict: "pass", score: 62.5 }, key: [{ key2: { value: "1" } }], d: null };
  const first = (path: string) => findResults(parseJsonPath(path), data).find((r) => r.length > 0)?.[0];

  it("selects with braces; text outside braces is literal (a path without braces finds itself)", () => {
    expect(first("{$.summary}")).toEqual({ verdict: "pass", score: 62.5 });
    expect(first("{.key[0].key2.value}")).toBe("1");
    expect(first("{$.key[-1].key2['value']}")).toBe("1");
    expect(first("{$.d}")).toBeNull();
    expect(first("$.summary")).toBe("$.summary");
    expect(first("x{$.summary.verdict}")).toBe("x");
  });

  it("parses a dict key again as a field path, as parseArray does: ['a.b'] is .a.b", () => {
    const dotted = { "a.b": 1, a: { b: 2 } };
    expect(findResults(parseJsonPath("{$['a.b']}"), dotted)).toEqual([[2]]);
    expect(() => findResults(parseJsonPath("{$['a.b']}"), { "a.b": 1 })).toThrow(/^a is not found$/);
    // a backslash escapes a terminator in a field name and is then dropped
    expect(findResults(parseJsonPath("{$.a\\.b}"), dotted)).toEqual([[1]]);
  });

  it("a JSON null body is reflect's zero Value: a field of it is not found, indexing it panics", () => {
    expect(() => findResults(parseJsonPath("{$.summary}"), null)).toThrow(/^summary is not found$/);
    expect(() => findResults(parseJsonPath("{$[0]}"), null)).toThrow(ZeroValuePanic);
  });

  it("errors like client-go: missing key, non-array index, out of bounds, unclosed action", () => {
    expect(() => first("{$.key[0].key2.novalue}")).toThrow("novalue is not found");
    expect(() => first("{$.summary[0]}")).toThrow("map[string]interface {} is not array or slice");
    expect(() => first("{$.key[3]}")).toThrow("array index out of bounds: index 3, length 1");
    expect(() => parseJsonPath("{$.summary")).toThrow("unclosed action");
  });

  it("refuses what it does not emulate, loudly", () => {
    for (const p of ["{$.key[*]}", "{..value}", "{$.key[?(@.a==1)]}", "{range .key}{end}"]) {
      expect(() => findResults(parseJsonPath(p), data), p).toThrow(NotEmulated);
    }
  });
});

describe("expr conditions (evaluate_test.go)", () => {
  it("evaluates Argo's cases", () => {
    expect(evalCondition(true, "result == true")).toBe(true);
    expect(evalCondition(true, "result == false")).toBe(false);
    expect(evalCondition(5, "result > 1")).toBe(true);
    expect(evalCondition("1", "asInt(result) == 1")).toBe(true);
    expect(evalCondition(1.123, "asInt(result) == 1")).toBe(true);
    expect(evalCondition("1.1", "asFloat(result) >= 1.1")).toBe(true);
    expect(evalCondition(1, "asFloat(result) == 1")).toBe(true);
  });

  it("raises Argo's errors, in Argo's words", () => {
    expect(conditionError(true, "1")).toBe("expected bool, but got int");
    expect(conditionError(true, "invalidVariable")).toBe("unknown name invalidVariable");
    expect(conditionError("1.1", "asInt(result) == 1.1")).toBe(
      'strconv.ParseInt: parsing "1.1": invalid syntax',
    );
    expect(conditionError("NotANum", "asFloat(result) == 1.1")).toBe(
      'strconv.ParseFloat: parsing "NotANum": invalid syntax',
    );
    expect(conditionError("1.1", 'asFloat(result) == "1.1"')).toBe(
      "invalid operation: == (mismatched types float64 and string)",
    );
  });

  it("evaluates the operators our templates may use on a summary", () => {
    const s = { verdict: "inconclusive", pass: false, score: 62.5, reason: "r" };
    expect(evalCondition(s, 'result.verdict == "pass"')).toBe(false);
    expect(evalCondition(s, 'result.verdict != "fail" && result.score >= 60')).toBe(true);
    expect(evalCondition(s, 'result.verdict == "pass" || result.score > 62.5')).toBe(false);
    expect(evalCondition(s, "!result.pass and not (result.score < 0)")).toBe(true);
    expect(evalCondition(s, "(result.missing ?? 70) > result.score")).toBe(true);
    expect(evalCondition(s, "result.missing == nil && result?.x?.y == nil")).toBe(true);
    // isNil/default test the whole result in Argo, not their argument
    expect(evalCondition(s, "isNil(result.missing)")).toBe(false);
    expect(evalCondition(null, "default(result, 3) == 3")).toBe(true);
    expect(evalCondition(s, "default(result, 3) == 3")).toBe(false);
  });

  it("fails at run time where expr-lang does (a map's members are interface {} to the checker)", () => {
    expect(conditionError({ a: "x" }, "result.a > 1")).toBe("invalid operation: string > int");
    expect(conditionError({}, "result.missing.x == nil")).toBe("cannot fetch x from <nil>");
    expect(conditionError({ a: 1 }, "!result.a")).toBe(
      "interface conversion: interface {} is float64, not bool",
    );
    // the optimizer folds `x && true` to `x`: a non-bool member is then the outcome
    expect(conditionError({ a: 1 }, "result.a && true")).toBe("expected bool, but got float64");
    expect(conditionError({ d: [1] }, "result.d[3] == nil")).toBe("reflect: slice index out of range");
    expect(conditionError({ d: [1] }, "result.d[3] == nil", "v1.17")).toBe(
      "index out of range: 3 (array length is 1)",
    );
    expect(evalCondition({}, "result.missing?.x == nil")).toBe(true);
  });

  it("refuses what it does not emulate", () => {
    for (const c of [
      "all(result.c, {# < 5})",
      "2 in result",
      "result.a + 1 > 2",
      "result.a ? true : false",
    ]) {
      expect(() => evalCondition({ a: 1, c: [1] }, c), c).toThrow(NotEmulated);
    }
  });

  it("EvaluateResult: missing conditions and errors", () => {
    const phase = (s: string, f: string) =>
      evaluateResult(true, { successCondition: s, failureCondition: f }).phase;
    expect(phase("true", "false")).toBe("Successful");
    expect(phase("true", "true")).toBe("Failed");
    expect(phase("false", "false")).toBe("Inconclusive");
    expect(phase("", "false")).toBe("Successful");
    expect(phase("false", "")).toBe("Failed");
    expect(phase("", "")).toBe("Successful");
    expect(phase("a == true", "true")).toBe("Error");
    expect(phase("true", "a == true")).toBe("Error");
    expect(evaluateResult(true, { successCondition: "a == true" }).error).toBe("unknown name a");
    expect(evaluateResult(true, { successCondition: "a == true" }, "master").error).toBe(
      'could not evaluate successCondition "a == true": unknown name a',
    );
  });
});

/**
 * Where this emulation and Argo once disagreed, each as one whole measurement of a 200 answer.
 * Expected phases, values and messages are what Argo's own code gave (argo-oracle, per version):
 * v1.9.1 reports expr's message as is; v1.10.0-rc1 and master wrap it (formatEvalError); master
 * also runs the conditions on a body that is not JSON instead of calling it Successful.
 */
describe("Argo's outcome where the emulation used to disagree", () => {
  const pass = '{"summary":{"verdict":"pass"}}';
  const templateConditions = {
    successCondition: 'result.verdict == "pass"',
    failureCondition: 'result.verdict == "fail"',
  };
  const wrapped = (condition: string, message: string) =>
    `could not evaluate successCondition "${condition}": ${message}`;
  type Expected = { phase: string; value?: string; message?: string };
  const cases: {
    why: string;
    body: string;
    jsonPath: string;
    conditions: Partial<Metric>;
    v191: Expected;
    master: Expected;
    rc1?: Expected;
  }[] = [
    {
      why: "no other operator may follow ?? (a compile error, not a comparison)",
      body: pass,
      jsonPath: "{$.summary}",
      conditions: { successCondition: 'result.x ?? "none" == "none"' },
      v191: {
        phase: "Error",
        message: "Operator (==) and coalesce expressions (??) cannot be mixed. Wrap either by parentheses.",
      },
      master: {
        phase: "Error",
        message: wrapped(
          'result.x ?? "none" == "none"',
          "Operator (==) and coalesce expressions (??) cannot be mixed. Wrap either by parentheses.",
        ),
      },
    },
    {
      why: "result is typed from the value: a string compared with an int",
      body: '"abc"',
      jsonPath: "{$}",
      conditions: { successCondition: "result == 1" },
      v191: { phase: "Error", message: "invalid operation: == (mismatched types string and int)" },
      master: {
        phase: "Error",
        message: wrapped("result == 1", "invalid operation: == (mismatched types string and int)"),
      },
    },
    {
      why: "a map compared with a string",
      body: pass,
      jsonPath: "{$.summary}",
      conditions: { successCondition: 'result == "pass"' },
      v191: {
        phase: "Error",
        message: "invalid operation: == (mismatched types map[string]interface {} and string)",
      },
      master: {
        phase: "Error",
        message: wrapped(
          'result == "pass"',
          "invalid operation: == (mismatched types map[string]interface {} and string)",
        ),
      },
    },
    {
      why: "a string ordered against an int",
      body: '"abc"',
      jsonPath: "{$}",
      conditions: { successCondition: "result > 1" },
      v191: { phase: "Error", message: "invalid operation: > (mismatched types string and int)" },
      master: {
        phase: "Error",
        message: wrapped("result > 1", "invalid operation: > (mismatched types string and int)"),
      },
    },
    {
      why: "a bool compared with a string",
      body: "true",
      jsonPath: "{$}",
      conditions: { successCondition: 'result == "pass"' },
      v191: { phase: "Error", message: "invalid operation: == (mismatched types bool and string)" },
      master: {
        phase: "Error",
        message: wrapped('result == "pass"', "invalid operation: == (mismatched types bool and string)"),
      },
    },
    {
      why: "a member of a number",
      body: "1",
      jsonPath: "{$}",
      conditions: templateConditions,
      v191: { phase: "Error", message: "type float64[string] is undefined" },
      master: {
        phase: "Error",
        message: wrapped('result.verdict == "pass"', "type float64 has no field verdict"),
      },
    },
    {
      why: "a jsonPath without braces finds the text itself: a member of a string",
      body: pass,
      jsonPath: "$.summary",
      conditions: templateConditions,
      v191: { phase: "Error", message: "type string[string] is undefined" },
      master: {
        phase: "Error",
        message: wrapped('result.verdict == "pass"', "type string has no field verdict"),
      },
    },
    {
      why: "a member of nil",
      body: '{"summary":null}',
      jsonPath: "{$.summary}",
      conditions: templateConditions,
      v191: { phase: "Error", message: "type <nil> has no field verdict" },
      master: {
        phase: "Error",
        message: wrapped(
          'result.verdict == "pass"',
          "metric result is nil or empty: no data returned from the metric provider",
        ),
      },
    },
    {
      why: 'Go\'s ParseFloat reads "NaN"',
      body: '{"v":"NaN"}',
      jsonPath: "{$.v}",
      conditions: { successCondition: 'isNaN(asFloat("NaN"))' },
      v191: { phase: "Successful", value: '"NaN"' },
      master: { phase: "Successful", value: '"NaN"' },
    },
    {
      why: "the measured NaN string",
      body: '{"v":"NaN"}',
      jsonPath: "{$.v}",
      conditions: { successCondition: "isNaN(asFloat(result))" },
      v191: { phase: "Successful", value: '"NaN"' },
      master: { phase: "Successful", value: '"NaN"' },
    },
    {
      why: 'and "-Inf"',
      body: '{"v":"-Inf"}',
      jsonPath: "{$.v}",
      conditions: { successCondition: "isInf(asFloat(result))" },
      v191: { phase: "Successful", value: '"-Inf"' },
      master: { phase: "Successful", value: '"-Inf"' },
    },
    {
      why: "['a.b'] is the path .a.b, not the key a.b",
      body: '{"a.b":1}',
      jsonPath: "{$['a.b']}",
      conditions: { successCondition: "result == 1" },
      v191: { phase: "Error", message: "Could not find JSONPath in body: a is not found" },
      master: { phase: "Error", message: "Could not find JSONPath in body: a is not found" },
    },
    {
      why: "['a.b'] finds a.b nested",
      body: '{"a":{"b":"pass"}}',
      jsonPath: "{$['a.b']}",
      conditions: { successCondition: 'result == "pass"' },
      v191: { phase: "Successful", value: '"pass"' },
      master: { phase: "Successful", value: '"pass"' },
    },
    {
      why: "a type error in a branch && would skip: checked before anything runs",
      body: '"abc"',
      jsonPath: "{$}",
      conditions: { successCondition: "false && result == 1" },
      v191: { phase: "Error", message: "invalid operation: == (mismatched types string and int)" },
      master: {
        phase: "Error",
        message: wrapped("false && result == 1", "invalid operation: == (mismatched types string and int)"),
      },
    },
    {
      why: "the same behind ||, in a function argument",
      body: '"abc"',
      jsonPath: "{$}",
      conditions: { successCondition: "true || isNaN(result)" },
      v191: { phase: "Error", message: "cannot use string as argument (type float64) to call isNaN " },
      master: {
        phase: "Error",
        message: wrapped(
          "true || isNaN(result)",
          "cannot use string as argument (type float64) to call isNaN ",
        ),
      },
    },
    {
      why: "while a map member (interface {}) only fails when run, and && skips it",
      body: '{"a":"x"}',
      jsonPath: "{$}",
      conditions: { successCondition: "false && result.a > 1" },
      v191: { phase: "Failed", value: '{"a":"x"}' },
      master: { phase: "Failed", value: '{"a":"x"}' },
    },
    {
      why: "a 2xx page that is not JSON",
      body: "<html><body>502 Bad Gateway</body></html>",
      jsonPath: "{$.summary}",
      conditions: templateConditions,
      v191: { phase: "Successful", value: "<html><body>502 Bad Gateway</body></html>" },
      rc1: { phase: "Successful", value: "<html><body>502 Bad Gateway</body></html>" },
      master: {
        phase: "Error",
        message: wrapped('result.verdict == "pass"', "type string has no field verdict"),
      },
    },
    {
      why: "an empty 2xx body",
      body: "",
      jsonPath: "{$.summary}",
      conditions: templateConditions,
      v191: { phase: "Successful" },
      rc1: { phase: "Successful" },
      master: {
        phase: "Error",
        message: wrapped('result.verdict == "pass"', "type string has no field verdict"),
      },
    },
    {
      why: "a plain-text 2xx body that the conditions accept on master",
      body: "pass",
      jsonPath: "{$.summary}",
      conditions: { successCondition: 'result == "pass"', failureCondition: 'result == "fail"' },
      v191: { phase: "Successful", value: "pass" },
      master: { phase: "Successful", value: "pass" },
    },
  ];

  it.each(
    cases.flatMap((c) =>
      (["v1.9.1", "v1.10.0-rc1", "master"] as const).map((version) => [version, c.why, c] as const),
    ),
  )("Argo %s: %s", async (version: ArgoVersion, _why, c) => {
    const expected = version === "v1.9.1" ? c.v191 : version === "master" ? c.master : (c.rc1 ?? c.master);
    const m = await runWebMetric(metric({ jsonPath: c.jsonPath }, c.conditions), stub(200, c.body), version);
    expect({ phase: m.phase, value: m.value || undefined, message: m.message }).toEqual({
      phase: expected.phase,
      value: expected.value,
      message: expected.message,
    });
  });

  it("a JSON null body selected whole makes reflect panic in the provider (the controller dies)", async () => {
    await expect(
      runWebMetric(metric({ jsonPath: "{$}" }, templateConditions), stub(200, "null")),
    ).rejects.toThrow(new ZeroValuePanic("reflect: call of reflect.Value.Interface on zero Value"));
  });
});

describe("web provider (webmetric_test.go)", () => {
  const abcd = `{"a": 1, "b": true, "c": [1, 2, 3, 4], "d": null}`;
  const keyed = (v: string) => `{"key": [{"key2": {"value": ${v}}}]}`;
  const at = { jsonPath: "{$.key[0].key2.value}" };

  it.each([
    [
      abcd,
      {},
      { successCondition: "result.a > 0 && result.b && result.d == nil" },
      "Successful",
      `{"a":1,"b":true,"c":[1,2,3,4],"d":null}`,
    ],
    [
      abcd,
      {},
      { successCondition: "result.a >= 2", failureCondition: "result.a <= 0" },
      "Inconclusive",
      `{"a":1,"b":true,"c":[1,2,3,4],"d":null}`,
    ],
    [
      keyed('"1"'),
      at,
      { successCondition: "asInt(result) > 0", failureCondition: "asInt(result) <= 0" },
      "Successful",
      `"1"`,
    ],
    [
      keyed('"0"'),
      at,
      { successCondition: "asInt(result) > 0", failureCondition: "asInt(result) <= 0" },
      "Failed",
      `"0"`,
    ],
    [
      keyed('"1.2"'),
      at,
      { successCondition: "asFloat(result) > 1.1", failureCondition: "asFloat(result) < 1.3" },
      "Failed",
      `"1.2"`,
    ],
    [keyed("1"), at, { successCondition: "result > 0", failureCondition: "result <= 0" }, "Successful", "1"],
    [
      keyed("1.1"),
      at,
      { successCondition: "result > 0", failureCondition: "result <= 0" },
      "Successful",
      "1.1",
    ],
    [
      keyed("-1.1"),
      at,
      { successCondition: "result > 0", failureCondition: "result <= 0" },
      "Failed",
      "-1.1",
    ],
    [
      keyed('"true"'),
      at,
      { successCondition: 'result == "true"', failureCondition: 'result == "false"' },
      "Successful",
      `"true"`,
    ],
    [
      keyed("false"),
      at,
      { successCondition: "result == true", failureCondition: "result == false" },
      "Failed",
      "false",
    ],
    [
      `{"key":{"num":1.2, "bool":true, "mapfield":{"foo":"bar"}}}`,
      { jsonPath: "{$.key}" },
      { successCondition: 'result.num > 1.1 && result.bool && result.mapfield.foo == "bar"' },
      "Successful",
      `{"bool":true,"mapfield":{"foo":"bar"},"num":1.2}`,
    ],
    ["", at, { successCondition: "true", failureCondition: "true" }, "Successful", ""],
    [
      "test: notJson",
      at,
      { successCondition: "true", failureCondition: "true" },
      "Successful",
      "test: notJson",
    ],
  ] as const)("%s %j %j → %s", async (body, web, conditions, phase, value) => {
    const m = await runWebMetric(metric(web, conditions), stub(200, body));
    expect(m.phase).toBe(phase);
    expect(m.value).toBe(value);
  });

  it("Errors: non-2xx (body ignored), no JSONPath match, bad scheme, GET with a body", async () => {
    const ok = { successCondition: "true", failureCondition: "true" };
    const e300 = await runWebMetric(metric(at, ok), stub(300, keyed('"true"')));
    expect([e300.phase, e300.message]).toEqual(["Error", "received non 2xx response code: 300"]);
    const e400 = await runWebMetric(metric({}, {}), stub(400, ""));
    expect(e400.phase).toBe("Error");
    const miss = await runWebMetric(
      metric({ jsonPath: "{$.key[0].key2.novalue}" }, ok),
      stub(200, keyed('"true"')),
    );
    expect([miss.phase, miss.message]).toEqual([
      "Error",
      "Could not find JSONPath in body: novalue is not found",
    ]);
    const scheme = await runWebMetric(metric({ url: "bad://url.com", ...at }, ok), stub(200, "{}"));
    expect([scheme.phase, scheme.message]).toEqual([
      "Error",
      'Get "bad://url.com": unsupported protocol scheme "bad"',
    ]);
    const get = await runWebMetric(metric({ jsonBody: { a: "1" } }, ok), stub(200, "{}"));
    expect(get.message).toBe("Body/JSONBody can only be used with POST or PUT WebMetric Method types");
  });

  it("POST jsonBody: Content-Type forced, headers canonical (last wins), body is the JSON", async () => {
    const seen: { init?: RequestInit }[] = [];
    await runWebMetric(
      metric({
        method: "POST",
        jsonBody: { model: "fraud", minSamples: "50" },
        headers: [
          { key: "authorization", value: "Bearer a" },
          { key: "AUTHORIZATION", value: "Bearer b" },
          { key: "content-type", value: "text/plain" },
        ],
      }),
      stub(200, "{}", seen),
    );
    expect(seen[0]!.init!.headers).toEqual({ Authorization: "Bearer b", "Content-Type": "application/json" });
    expect(JSON.parse(seen[0]!.init!.body as string)).toEqual({ model: "fraud", minSamples: "50" });
  });
});

describe("args and the run's phase rules (analysis.go)", () => {
  const template = (measure: Partial<Metric> = {}): AnalysisTemplate => ({
    kind: "AnalysisTemplate",
    metadata: { name: "t" },
    spec: {
      args: [
        { name: "model" },
        { name: "canary-hash" },
        { name: "n", value: "10" },
        { name: "token", valueFrom: { secretKeyRef: { name: "s", key: "k" } } },
      ],
      metrics: [
        {
          name: "m",
          count: "{{args.n}}",
          interval: "1m",
          failureLimit: 0,
          inconclusiveLimit: 9,
          successCondition: 'result.verdict == "pass"',
          failureCondition: 'result.verdict == "fail"',
          provider: {
            web: {
              method: "POST",
              url: "http://127.0.0.1:1/v1/judge",
              headers: [{ key: "Authorization", value: "Bearer {{ args.token }}" }],
              jsonBody: { model: "{{args.model}}", candidate: "{{args.canary-hash}}", n: "{{args.n}}" },
              jsonPath: "{$.summary}",
            },
          },
          ...measure,
        },
      ],
    },
  });
  const cluster = { podTemplateHashes: { Stable: "aaa", Latest: "bbb" }, secrets: { s: { k: 'to"ken' } } };
  const incoming = [
    { name: "model", value: "fr\\aud" },
    { name: "canary-hash", valueFrom: { podTemplateHashValue: "Latest" as const } },
  ];

  /** A fetch answering the given verdicts in order ("error" → HTTP 503). */
  const verdicts = (list: string[]): typeof fetch => {
    let i = 0;
    return async () => {
      const v = list[i++] ?? "inconclusive";
      return v === "error"
        ? new Response("{}", { status: 503 })
        : new Response(JSON.stringify({ summary: { verdict: v } }), { status: 200 });
    };
  };
  const run = async (list: string[], measure: Partial<Metric> = {}) => {
    const r = new AnalysisRun(template(measure), incoming, cluster, verdicts(list));
    await r.runToCompletion();
    return r;
  };

  it("merges Rollout args, resolves hashes and Secrets, substitutes JSON-escaped strings everywhere", () => {
    expect(() => mergeArgs(template().spec.args!, [], cluster)).toThrow("args.model was not resolved");
    // The Rollout's valueFrom is resolved before merging, so it replaces a template default.
    const merged = mergeArgs(
      [
        { name: "rollout-name", value: "" },
        { name: "stable", value: "x" },
      ],
      [
        { name: "rollout-name", valueFrom: { fieldRef: { fieldPath: "metadata.name" } } },
        { name: "stable", valueFrom: { podTemplateHashValue: "Stable" } },
      ],
      { ...cluster, fields: { "metadata.name": "fraud-model" } },
    );
    expect(merged).toEqual([
      { name: "rollout-name", value: "fraud-model" },
      { name: "stable", value: "aaa" },
    ]);
    const r = new AnalysisRun(template(), incoming, cluster);
    const m = r.resolvedMetric();
    expect(m.count).toBe("10");
    expect(m.provider.web!.jsonBody).toEqual({ model: "fr\\aud", candidate: "bbb", n: "10" });
    expect(m.provider.web!.headers).toEqual([{ key: "Authorization", value: 'Bearer to"ken' }]);
    expect(() => resolveMetric({ name: "x", provider: { web: { url: "{{workflow.name}}" } } }, {})).toThrow(
      "failed to resolve {{workflow.name}}",
    );
  });

  it("count 10, inconclusiveLimit 9: Inconclusive only when all 10 looks are", async () => {
    const all = await run(Array(10).fill("inconclusive"));
    expect([all.phase, all.results[0]!.count]).toEqual(["Inconclusive", 10]);
    const onePass = await run([...Array(9).fill("inconclusive"), "pass"]);
    expect(onePass.phase).toBe("Successful");
    const earlyPass = await run(["inconclusive", "pass", ...Array(8).fill("inconclusive")]);
    expect(earlyPass.phase).toBe("Successful");
  });

  it("failureLimit 0: the first fail ends the run Failed, even after passes", async () => {
    const r = await run(["pass", "pass", "fail", "pass"]);
    expect([r.phase, r.results[0]!.measurements.length]).toEqual(["Failed", 3]);
    const limit1 = await run(["fail", "pass", "fail"], { failureLimit: 1 });
    expect([limit1.phase, limit1.results[0]!.measurements.length]).toEqual(["Failed", 3]);
  });

  it("Errors do not use up looks; the 5th consecutive one ends the run in Error", async () => {
    const r = await run(["error", "error", "error", "error", "pass", ...Array(9).fill("pass")]);
    expect([r.phase, r.results[0]!.count, r.results[0]!.error]).toEqual(["Successful", 10, 4]);
    const dead = await run(Array(5).fill("error"));
    expect([dead.phase, dead.results[0]!.count]).toEqual(["Error", 0]);
    const wider = await run(Array(7).fill("error"), { consecutiveErrorLimit: 6 });
    expect([wider.phase, wider.results[0]!.measurements.length]).toEqual(["Error", 7]);
  });

  it("validates the resolved spec each reconcile (ValidateMetrics), before reading Secrets", async () => {
    const few = new AnalysisRun(template(), [...incoming, { name: "n", value: "5" }], {
      ...cluster,
      secrets: {},
    });
    expect(await few.reconcile()).toBe("Error");
    expect(few.message).toBe("Analysis spec invalid: metrics[0]: count must be >= inconclusiveLimit");
    const typo = new AnalysisRun(template({ interval: "60s-typo" }), incoming, cluster, verdicts([]));
    expect(await typo.reconcile()).toBe("Error");
    expect(typo.message).toMatch(/^Analysis spec invalid: metrics\[0\]: invalid interval string/);
  });

  it("a missing Secret key is an Error of the run before any measurement", async () => {
    const r = new AnalysisRun(template(), incoming, { ...cluster, secrets: { s: {} } }, verdicts([]));
    expect(await r.reconcile()).toBe("Error");
    expect(r.message).toBe("Unable to resolve metric arguments: key 'k' does not exist in secret 's'");
  });
});
