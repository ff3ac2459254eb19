import type { Logger } from "../log.js";
import type { ServiceMetrics } from "./metrics.js";

/**
 * Errors that escape every request's own handling — thrown in a response hook, a timer, a stream
 * or event callback — would end the process if left to Node. One bad request must never stop the
 * judge every rollout depends on, so such an error is logged (with its stack: it is a bug) and
 * counted in `modelgate_uncaught_errors_total{where}`, and the service carries on.
 */
export type FaultReporter = (where: string, error: unknown) => void;

export function faultReporter(
  logger: Logger,
  metrics?: Pick<ServiceMetrics, "uncaughtErrors">,
): FaultReporter {
  return (where, error) => {
    try {
      const e = error as Error | undefined;
      logger.error("uncaught error survived", { where, error: String(error), stack: e?.stack });
      metrics?.uncaughtErrors.inc({ where });
    } catch {
      // reporting must never be what throws
    }
  };
}

/** `fn` with any exception it throws reported under `where` instead of propagating. */
export function guarded<A extends unknown[]>(
  report: FaultReporter,
  where: string,
  fn: (...args: A) => void,
): (...args: A) => void {
  return (...args: A) => {
    try {
      fn(...args);
    } catch (e) {
      report(where, e);
    }
  };
}
