import { describe, expect, it } from "vitest";
import { runMemory } from "../../bench/memory.js";
import { build, one } from "../manifests/kustomize.js";

/** Kubernetes memory quantity in bytes (Mi / Gi, the units the Deployment uses). */
function bytes(q: string): number {
  const m = /^(\d+)(Mi|Gi)$/.exec(q);
  if (!m) throw new Error(`unexpected memory quantity ${q}`);
  return Number(m[1]) * (m[2] === "Gi" ? 2 ** 30 : 2 ** 20);
}

const container = () => one(build("base"), "Deployment", "modelgate").spec.template.spec.containers[0];
const nodeOptions = (): string =>
  container().env.find((e: { name: string }) => e.name === "NODE_OPTIONS")?.value ?? "";

describe("memory under the Deployment's limit", () => {
  it("caps V8's heap below the container's memory limit, leaving room for what is not heap", () => {
    const heap = /--max-old-space-size=(\d+)/.exec(nodeOptions());
    expect(heap, "NODE_OPTIONS sets --max-old-space-size").not.toBeNull();
    const limit = bytes(container().resources.limits.memory);
    // RSS = old space + young generation, code, SQLite, buffers: a peak of 566 MiB with a 512 MB
    // cap through 10,000,000 events (docs/kubernetes.md, "Memory"), so half the limit for the heap
    expect(Number(heap![1]) * 2 ** 20).toBeLessThanOrEqual(limit / 2);
    expect(bytes(container().resources.requests.memory)).toBeLessThanOrEqual(limit);
  });

  // The real server with the Deployment's NODE_OPTIONS, every bounded index filled: unique ids
  // (200,000 predictions wait for a label, 50,000 answers for their shadow pair) and a day of
  // one-minute buckets for two versions. Bounded: 1,000,000 events (the 10,000,000-event run of
  // docs/kubernetes.md is bench/memory.ts).
  it("keeps the server's peak resident memory under the limit through 1,000,000 events", async () => {
    const limit = bytes(container().resources.limits.memory);
    const r = await runMemory({
      events: 1_000_000,
      versions: 2,
      batchSize: 5000,
      inFlight: 2,
      spreadMinutes: 1380,
      uniqueIds: true,
      nodeOptions: nodeOptions(),
      sampleEvery: 250_000,
    });
    console.log(
      `memory: ${r.events} events, RSS ${r.samples.map((s) => s.rssMiB.toFixed(0)).join(" → ")} MiB, peak ${(r.peakRssBytes / 2 ** 20).toFixed(0)} MiB, limit ${(limit / 2 ** 20).toFixed(0)} MiB`,
    );
    expect(r.events).toBe(1_000_000);
    expect(r.peakRssBytes).toBeLessThan(limit);
  }, 900_000);
});
