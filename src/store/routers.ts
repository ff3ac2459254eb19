import type { Router } from "express";
import { cloudEventsRouter } from "../api/routes/cloudevents.js";
import { eventsRouter } from "../api/routes/events.js";
import { modelsRouter } from "../api/routes/models.js";
import { outcomesRouter } from "../api/routes/outcomes.js";
import type { Config } from "../config.js";
import type { EmbeddedStore } from "./embedded-store.js";

/** The routes that write to and list the embedded store. */
export function ingestionRouters(deps: { store: EmbeddedStore; config: Config }): Router[] {
  return [eventsRouter(deps), outcomesRouter(deps), cloudEventsRouter(deps), modelsRouter(deps)];
}
