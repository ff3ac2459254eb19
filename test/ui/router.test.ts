import { describe, expect, it } from "vitest";
import { createApp } from "../../src/api/app.js";
import { createUiRouter } from "../../src/api/routes/ui.js";
import { loadConfig } from "../../src/config.js";
import { GATES } from "../../src/gates/registry.js";
import { JudgementHistory } from "../../src/judge/history.js";
import { runJudgement } from "../../src/judge/judge.js";
import { parseJudgeRequest } from "../../src/judge/request.js";
import { CohortSummary } from "../../src/sketch/cohort-summary.js";
import { listen } from "../helpers/http.js";
import { memorySource } from "../judge/memory-source.js";

function cohort(events: number, errors: number): CohortSummary {
  const s = new CohortSummary();
  s.events = events;
  s.errors = errors;
  for (let i = 0; i < events; i++) s.latency.add(10 + (i % 10));
  s.seen(1_700_000_000_000);
  return s;
}

/** The ui router alone over a memory source (no catalog: the Prometheus case). */
async function setup() {
  const source = memorySource({ "m/a": cohort(400, 2), "m/b": cohort(400, 30) });
  const history = new JudgementHistory();
  const judge = async (model: string, candidate: string) =>
    runJudgement(
      parseJudgeRequest(
        { model, baseline: "a", candidate, gates: "errors,latency" },
        { registry: GATES, now: 1_700_000_600_000 },
      ),
      {
        registry: GATES,
        sources: { memory: source },
        defaultSource: "memory",
        history,
        clock: () => 1_700_000_600_000,
      },
    );
  const judged = await judge("m", "b");
  const unseen = await judge("m", "zz");
  const app = createApp({
    config: loadConfig({}),
    routers: [createUiRouter({ history, sources: { memory: source }, bucketMs: 60_000 })],
  });
  return { source, judged, unseen, server: await listen(app) };
}

const get = async (url: string) => {
  const res = await fetch(url);
  return { status: res.status, text: await res.text(), csp: res.headers.get("content-security-policy") };
};

describe("/ui router", () => {
  it("lists judged models without a catalog, and answers unknown names with an escaped 404", async () => {
    const { judged, server } = await setup();
    await using _ = server;
    const index = await get(`${server.url}/ui`);
    expect(index.status).toBe(200);
    expect(index.csp).toContain("default-src 'none'");
    expect(index.text).toContain('<li data-model="m"><a href="/ui/models/m">m</a></li>');
    expect(index.text).toContain(`data-judgement="${judged.judgement.id}"`);
    const model = await get(`${server.url}/ui/models/m`);
    expect(model.text).toContain("The store holds no events for this model.");
    expect(model.text.match(/<tr data-judgement=/g)?.length).toBe(2);
    const unknown = await get(`${server.url}/ui/models/${encodeURIComponent("<script>x</script>")}`);
    expect(unknown.status).toBe(404);
    expect(unknown.text).toContain("no model named &quot;&lt;script&gt;x&lt;/script&gt;&quot;");
    expect(unknown.text).not.toContain("<script>");
  });

  it("draws a judgement from its source, and keeps the verdict when the source is down or had no events", async () => {
    const { source, judged, unseen, server } = await setup();
    await using _ = server;
    const page = await get(`${server.url}/ui/judgements/${judged.judgement.id}`);
    expect(page.text).toContain('data-verdict="fail"');
    expect(page.text).toContain('data-plot="latency"');
    // the memory source ignores windows, so every slice holds the whole cohort: 30 errors each
    expect(page.text).toMatch(/data-series="candidate" data-errors="30(,30)*"/);
    source.down = true;
    const down = await get(`${server.url}/ui/judgements/${judged.judgement.id}`);
    expect(down.status).toBe(200);
    expect(down.text).toContain('tr data-gate="errors"');
    expect(down.text).toContain("no plots: the source cannot answer (memory: connection refused)");
    expect(down.text).not.toContain("data-plot=");
    source.down = false;
    const empty = await get(`${server.url}/ui/judgements/${unseen.judgement.id}`);
    expect(empty.text).toContain("No data to plot.");
    expect(empty.text).toContain("the judgement had no events in its window");
  });
});
