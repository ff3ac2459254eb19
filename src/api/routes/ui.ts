import express from "express";
import type { JudgementHistory } from "../../judge/history.js";
import type { Source } from "../../sources/source.js";
import { html } from "../../ui/html.js";
import { type Catalog, indexPage, modelPage } from "../../ui/index-page.js";
import { judgementPage } from "../../ui/judgement-page.js";
import { loadJudgementView } from "../../ui/judgement-view.js";
import { page } from "../../ui/layout.js";
import { shadowJudgementPage } from "../../ui/shadow-page.js";
import { loadShadowView } from "../../ui/shadow-view.js";

export interface UiRouterOptions {
  history: JudgementHistory;
  sources: Readonly<Record<string, Source>>;
  /** models and versions (the embedded store); without it the pages list what was judged */
  catalog?: Catalog;
  /** the store's bucket width, so error-rate slices fall on bucket edges */
  bucketMs: number;
}

function notFound(res: express.Response, what: string): void {
  res
    .status(404)
    .type("html")
    .send(page("not found", html`<h1>Not found</h1><p>${what}</p>`));
}

/**
 * Report pages, server-rendered HTML and SVG without scripts: `/ui` (models, latest judgements),
 * `/ui/models/{model}` (versions, judgements) and `/ui/judgements/{id}` (gates, plots, reason; a shadow
 * judgement gets the shadow page: agreement, flips per group, paired differences and tests).
 */
export function createUiRouter(opts: UiRouterOptions): express.Router {
  const router = express.Router();
  const send = (res: express.Response, body: string) => {
    res
      .type("html")
      .set("Content-Security-Policy", "default-src 'none'; style-src 'unsafe-inline'; img-src 'self' data:")
      .send(body);
  };
  router.get("/ui", (_req, res) => {
    send(res, indexPage(opts.catalog, opts.history.list({ limit: 200 })));
  });
  router.get("/ui/models/:model", (req, res) => {
    const model = String(req.params.model);
    const judgements = opts.history.list({ model, limit: 200 });
    if (judgements.length === 0 && !opts.catalog?.versions(model)) {
      notFound(res, `no model named "${model}"`);
      return;
    }
    send(res, modelPage(model, opts.catalog, judgements));
  });
  router.get("/ui/judgements/:id", async (req, res) => {
    const found = opts.history.get(String(req.params.id));
    if (!found) {
      notFound(res, `no judgement with id "${req.params.id}"`);
      return;
    }
    const source = opts.sources[found.judgement.source];
    if (found.judgement.mode === "shadow") {
      send(res, shadowJudgementPage(await loadShadowView(found, source)));
      return;
    }
    const view = await loadJudgementView(found, source, {
      bucketMs: opts.bucketMs,
    });
    send(res, judgementPage(view));
  });
  return router;
}
