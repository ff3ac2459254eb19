import { mkdir, readFile, rename, rm, writeFile } from "node:fs/promises";
import { join } from "node:path";
import express from "express";
import {
  parseReferenceProfile,
  type ReferenceProfile,
  ReferenceProfileError,
} from "../../gates/reference-profile.js";
import { isReservedName, reservedNameMessage } from "../../safe-keys.js";
import type { SummaryLayout } from "../../sketch/cohort-summary.js";
import { badRequest, HttpError } from "../http-error.js";
import { jsonBody } from "../json-body.js";

/**
 * Reference profiles, one JSON file per model under `dir`:
 *
 * - `PUT /v1/models/{model}/reference`: upload (or replace) the profile; 201 when created, 200
 *   when replaced; the answer is the stored, normalised profile.
 * - `GET /v1/models/{model}/reference`: the stored profile, 404 when there is none.
 * - `DELETE /v1/models/{model}/reference`: 204, 404 when there is none.
 *
 * Bodies are validated by parseReferenceProfile (400 naming the field). Files are written to a
 * temporary name and renamed, so a reader never sees half a profile.
 */
export interface ReferenceRouterOptions {
  /** directory holding `<model>.json`; created on first upload */
  dir: string;
  /** bin layout used to bin raw score/feature values in an upload (default DEFAULT_LAYOUT) */
  layout?: SummaryLayout | ((model: string) => SummaryLayout | undefined);
  clock?: () => number;
  /** JSON body limit in bytes (default 16 MiB: raw training-set values are allowed) */
  maxBodyBytes?: number;
}

const MODEL_NAME = /^[A-Za-z0-9][A-Za-z0-9._-]{0,127}$/;

function modelFile(dir: string, model: string): string {
  if (!MODEL_NAME.test(model)) {
    throw badRequest(`model must match ${MODEL_NAME.source}, got ${JSON.stringify(model)}`, "model");
  }
  if (isReservedName(model)) throw badRequest(`model: ${reservedNameMessage(model)}`, "model");
  return join(dir, `${model}.json`);
}

/** The stored profile of `model`, or undefined when none was uploaded (for the judge's drift gate). */
export async function loadReferenceProfile(
  dir: string,
  model: string,
): Promise<ReferenceProfile | undefined> {
  if (!MODEL_NAME.test(model) || isReservedName(model)) return undefined;
  let text: string;
  try {
    text = await readFile(join(dir, `${model}.json`), "utf8");
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === "ENOENT") return undefined;
    throw err;
  }
  return JSON.parse(text) as ReferenceProfile;
}

export function createReferenceRouter(opts: ReferenceRouterOptions): express.Router {
  const clock = opts.clock ?? Date.now;
  const layoutOf = (model: string) => (typeof opts.layout === "function" ? opts.layout(model) : opts.layout);
  const router = express.Router();
  const json = jsonBody({
    limit: opts.maxBodyBytes ?? 16 * 1024 * 1024,
    hint: "(the larger of MODELGATE_MAX_BODY_BYTES and 16 MiB); send histograms instead of raw values",
  });
  let writes = 0;

  router.put("/v1/models/:model/reference", json, async (req, res) => {
    const model = String(req.params.model);
    const file = modelFile(opts.dir, model);
    let profile: ReferenceProfile;
    try {
      // model and upload time are the server's, never the body's
      const body = req.body as unknown;
      const stripped =
        typeof body === "object" && body !== null && !Array.isArray(body)
          ? { ...(body as Record<string, unknown>), model: undefined, uploadedAt: undefined }
          : body;
      profile = parseReferenceProfile(stripped, { model, uploadedAt: clock(), layout: layoutOf(model) });
    } catch (err) {
      if (err instanceof ReferenceProfileError) throw badRequest(err.message, err.field);
      throw err;
    }
    const existed = (await loadReferenceProfile(opts.dir, model)) !== undefined;
    await mkdir(opts.dir, { recursive: true });
    const tmp = `${file}.${process.pid}.${++writes}.tmp`;
    await writeFile(tmp, JSON.stringify(profile));
    await rename(tmp, file);
    res.status(existed ? 200 : 201).json(profile);
  });

  router.get("/v1/models/:model/reference", async (req, res) => {
    const model = String(req.params.model);
    modelFile(opts.dir, model);
    const profile = await loadReferenceProfile(opts.dir, model);
    if (!profile) throw new HttpError(404, "not_found", `no reference profile for model ${model}`);
    res.json(profile);
  });

  router.delete("/v1/models/:model/reference", async (req, res) => {
    const model = String(req.params.model);
    const file = modelFile(opts.dir, model);
    if (!(await loadReferenceProfile(opts.dir, model))) {
      throw new HttpError(404, "not_found", `no reference profile for model ${model}`);
    }
    await rm(file, { force: true });
    res.status(204).end();
  });

  return router;
}
