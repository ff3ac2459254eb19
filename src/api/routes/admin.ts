import { Router } from "express";
import type { AdminAudit } from "../../auth/admin-audit.js";
import { ANONYMOUS } from "../../auth/middleware.js";
import type { Logger } from "../../log.js";
import { deleteModel } from "../../store/delete-model.js";
import { type EmbeddedStore, StoreNotReady } from "../../store/embedded-store.js";
import { HttpError } from "../http-error.js";

export interface AdminRouterOptions {
  store: EmbeddedStore;
  audit: AdminAudit;
  logger: Logger;
  clock?: () => number;
  /**
   * Other holders of a model's data erased with it (e.g. its reference profile), by name; each
   * answers whether it removed anything.
   */
  erasers?: Record<string, (model: string) => Promise<boolean>>;
}

/**
 * `DELETE /v1/models/{model}` (scope admin): erase a model's data from the embedded store (see
 * store/delete-model.ts) and anything in `erasers`, then append an audit record naming the
 * model, the token's name, the time and the counts removed. 200 with what was erased and the
 * audit record's seq and hash; 404 when nothing is held for the model; 503 while the store is
 * replaying. Judgements already recorded in the judge's audit log are kept: they hold verdicts
 * and aggregates, not data, and that chain is evidence that must not be rewritten.
 */
export function adminRouter(opts: AdminRouterOptions): Router {
  const clock = opts.clock ?? Date.now;
  const router = Router();
  router.delete("/v1/models/:model", async (req, res) => {
    const model = String(req.params.model);
    let store: ReturnType<typeof deleteModel>;
    try {
      store = deleteModel(opts.store, model);
    } catch (e) {
      if (e instanceof StoreNotReady) throw new HttpError(503, "not_ready", e.message);
      throw e;
    }
    const others: Record<string, boolean> = {};
    for (const [name, erase] of Object.entries(opts.erasers ?? {})) others[name] = await erase(model);
    if (!store && !Object.values(others).some(Boolean)) {
      throw new HttpError(404, "unknown_model", `no data held for model "${model}"`, "model");
    }
    const principal = (res.locals.principal as string | undefined) ?? ANONYMOUS;
    const result = { store: store ?? null, ...others };
    const rec = opts.audit.record({
      action: "erase_model",
      model,
      principal,
      at: new Date(clock()).toISOString(),
      result,
    });
    opts.logger.info("model erased", { model, principal, auditSeq: rec.seq });
    res.json({ model, erased: result, audit: { seq: rec.seq, hash: rec.hash } });
  });
  return router;
}
