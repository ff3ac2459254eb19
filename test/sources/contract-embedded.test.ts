import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { expect } from "vitest";
import { loadConfig } from "../../src/config.js";
import { BatchResult } from "../../src/ingest/batch-result.js";
import { createEmbeddedSource } from "../../src/sources/embedded.js";
import { EmbeddedStore, storeOptionsFromConfig } from "../../src/store/embedded-store.js";
import { type ContractHarness, sourceContract } from "./source.contract.js";

/**
 * The embedded store behind the contract. Its windows are whole time buckets (1 s here), so
 * the harness runs a clock it controls: marks are bucket boundaries, events carry the clock.
 */
async function embeddedHarness(): Promise<ContractHarness> {
  const dir = await mkdtemp(join(tmpdir(), "modelgate-contract-"));
  let now = Math.ceil(Date.now() / 1000) * 1000 + 250;
  const store = EmbeddedStore.open({
    ...storeOptionsFromConfig(loadConfig({ MODELGATE_DATA_DIR: dir, MODELGATE_BUCKET_SECONDS: "1" })),
    clock: () => now,
  });
  await store.replay();
  return {
    source: createEmbeddedSource(store),
    async ingest(model, version, batch) {
      const stamped = batch.map((e) => ({ ...e, model, version, ts: now }));
      const result = new BatchResult();
      store.ingestEvents(
        stamped.map((value, i) => ({ line: i + 1, value })),
        result,
      );
      expect(result.rejected, JSON.stringify(result.errors.slice(0, 3))).toBe(0);
      return stamped;
    },
    async mark() {
      const boundary = Math.floor(now / 1000) * 1000 + 1000;
      now = boundary + 250;
      return boundary;
    },
    async close() {
      store.close();
      await rm(dir, { recursive: true, force: true });
    },
  };
}

sourceContract("embedded", embeddedHarness, { latencyRelError: 0 });
