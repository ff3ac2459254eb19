import { readFileSync } from "node:fs";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { parseAllDocuments } from "yaml";
import { loadConfig } from "../../src/config.js";
import {
  CLOUDEVENTS_JSON,
  type JudgementCloudEvent,
  judgementCloudEvent,
} from "../../src/events/cloudevent.js";
import type { JudgeResponse } from "../../src/judge/judgement.js";

/**
 * The Argo Events example in docs/operations.md, checked against what Argo Events' own source
 * does with it (argoproj/argo-events at 6478ece495f951dde9f183ae58fde134c52f41a5):
 *
 * - pkg/apis/events/v1alpha1/webhook_context.go: the webhook fields (`port` is a string),
 *   DefaultMaxWebhookPayloadSize = 1 MB;
 * - pkg/eventsources/common/webhook/validate.go: endpoint not empty, port parses as an integer;
 * - pkg/eventsources/sources/webhook/start.go: the method must match; a body that is not form
 *   data is kept as raw JSON and the event's data is {"header": …, "body": <the body>};
 * - pkg/reconciler/eventsource/resource.go: the Service is "<event source name>-eventsource-svc";
 * - pkg/sensors/dependencies/filter.go: a data filter reads a gjson path of that data; a string
 *   filter's values are Go regular expressions matched anywhere in the value; filters are ANDed.
 */
const ARGO_EVENTS_COMMIT = "6478ece495f951dde9f183ae58fde134c52f41a5";
const WEBHOOK_FIELDS = [
  "endpoint",
  "method",
  "port",
  "url",
  "serverCertSecret",
  "serverKeySecret",
  "metadata",
  "authSecret",
  "maxPayloadSize",
  "filter",
];

const page = readFileSync(join(import.meta.dirname, "..", "..", "docs", "operations.md"), "utf8");
const section = page.slice(page.indexOf("## Verdict events"), page.indexOf("## How this is tested"));
const blocks = (lang: string) =>
  [...section.matchAll(new RegExp("```" + lang + "\\n([\\s\\S]*?)```", "g"))].map((m) => m[1]);

// biome-ignore lint/suspicious/noExplicitAny: manifests are arbitrary YAML; the tests narrow by field
type Doc = Record<string, any>;
const manifests: Doc[] = blocks("yaml").flatMap((b) => parseAllDocuments(b).map((d) => d.toJS() as Doc));
const eventSource = manifests.find((m) => m.kind === "EventSource")!;
const sensor = manifests.find((m) => m.kind === "Sensor")!;
const documentedEvent = JSON.parse(blocks("json")[0]) as JudgementCloudEvent;

/** gjson for plain dotted paths (the only kind the example uses; checked below). */
function gjson(data: unknown, path: string): unknown {
  let at: unknown = data;
  for (const key of path.split(".")) {
    if (at === null || typeof at !== "object" || !Object.hasOwn(at, key)) return undefined;
    at = (at as Record<string, unknown>)[key];
  }
  return at;
}

/** The data of the Argo event the webhook source makes of one POST of `event`. */
const webhookData = (event: JudgementCloudEvent) => ({
  header: { "Content-Type": [CLOUDEVENTS_JSON] },
  body: JSON.parse(JSON.stringify(event)),
});

/** filterData's AND of string filters, with the Go regexps run as JS regexps (same syntax for these). */
function passes(filters: Doc[], data: unknown): boolean {
  return filters.every((f) => {
    const value = gjson(data, f.path);
    if (value === undefined) return false;
    return (f.value as string[]).some((re) => new RegExp(re).test(String(value)));
  });
}

describe(`the Argo Events example (argo-events ${ARGO_EVENTS_COMMIT.slice(0, 12)})`, () => {
  it("the EventSource is a webhook Argo Events accepts, and modelgate's sink setting points at its Service", () => {
    expect(eventSource.apiVersion).toBe("argoproj.io/v1alpha1");
    const entries = Object.entries(eventSource.spec.webhook as Record<string, Doc>);
    expect(entries).toHaveLength(1);
    const [, webhook] = entries[0];
    for (const field of Object.keys(webhook)) expect(WEBHOOK_FIELDS, field).toContain(field);
    expect(typeof webhook.port).toBe("string"); // a YAML number would not decode into the Go string
    expect(String(Number.parseInt(webhook.port, 10))).toBe(webhook.port);
    expect(webhook.endpoint).toMatch(/^\/\S+$/);
    expect(webhook.method).toBe("POST");
    expect(eventSource.spec.service.ports[0].targetPort).toBe(Number(webhook.port));
    const service = `${eventSource.metadata.name}-eventsource-svc.${eventSource.metadata.namespace}.svc`;
    const sink = `http://${service}:${webhook.port}${webhook.endpoint}`;
    expect(section).toContain(`MODELGATE_EVENT_SINKS=${sink}`);
    expect(loadConfig({ MODELGATE_EVENT_SINKS: sink }).eventSinks).toEqual([sink]);
  });

  it("the documented event is what modelgate sends, and fits the webhook's payload limit", () => {
    const { trigger: _trigger, ...rest } = documentedEvent.data;
    const response = rest as unknown as JudgeResponse;
    expect(judgementCloudEvent(response, "reference-drift", documentedEvent.source)).toEqual(documentedEvent);
    expect(JSON.stringify(documentedEvent).length).toBeLessThan(1_048_576);
  });

  it("the Sensor listens to that webhook, lets the reference-drift event through and stops the others", () => {
    const [dep] = sensor.spec.dependencies as Doc[];
    expect(dep.eventSourceName).toBe(eventSource.metadata.name);
    expect(Object.keys(eventSource.spec.webhook)).toContain(dep.eventName);
    const filters = dep.filters.data as Doc[];
    for (const f of filters) {
      expect(f.path).toMatch(/^[A-Za-z0-9_]+(\.[A-Za-z0-9_]+)*$/);
      expect(f.type).toBe("string");
      for (const re of f.value as string[]) expect(re).toMatch(/^\^[A-Za-z0-9_\\.-]+\$$/);
    }
    expect(passes(filters, webhookData(documentedEvent))).toBe(true);
    const { trigger: _trigger, ...rest } = documentedEvent.data;
    const verdict = judgementCloudEvent(rest as unknown as JudgeResponse, "verdict", documentedEvent.source);
    expect(passes(filters, webhookData(verdict))).toBe(false);
    expect(
      passes(filters, webhookData({ ...documentedEvent, type: "dev.modelgate.judgement.v2" } as never)),
    ).toBe(false);
  });

  it("the trigger's parameters read fields the event has, into parameters the Workflow declares", () => {
    const workflow = sensor.spec.triggers[0].template.argoWorkflow;
    expect(workflow.operation).toBe("submit");
    const declared = workflow.source.resource.spec.arguments.parameters as Doc[];
    const data = webhookData(documentedEvent);
    const values = (workflow.parameters as Doc[]).map((p) => {
      expect(p.src.dependencyName).toBe(sensor.spec.dependencies[0].name);
      const index = Number(/^spec\.arguments\.parameters\.(\d+)\.value$/.exec(p.dest)?.[1]);
      expect(index).toBeLessThan(declared.length);
      return [declared[index].name, gjson(data, p.src.dataKey)];
    });
    expect(Object.fromEntries(values)).toEqual({
      model: documentedEvent.data.judgement.model,
      version: documentedEvent.data.judgement.candidate,
      judgement: documentedEvent.data.judgement.id,
    });
  });
});
