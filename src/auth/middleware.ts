import type { NextFunction, Request, RequestHandler, Response } from "express";
import { HttpError } from "../api/http-error.js";
import type { Logger } from "../log.js";
import { type Requirement, type RouteScopeOptions, requirementOf } from "./route-scopes.js";
import { grants } from "./scope.js";
import type { TokenSet } from "./tokens.js";

/** Who made a request, in `res.locals.principal`: a token's name, or "anonymous" when auth is off. */
export const ANONYMOUS = "anonymous";

export interface AuthOptions extends RouteScopeOptions {
  /** the tokens in force, or undefined when authentication is off */
  tokens: () => TokenSet | undefined;
  logger: Logger;
}

const BEARER = /^Bearer[ \t]+([^\s]+)[ \t]*$/i;

/**
 * Bearer-token authentication and scope check for every route (see route-scopes.ts).
 * 401 (with `WWW-Authenticate: Bearer`) when the token is missing or unknown — the caller
 * must authenticate; 403 when the token is valid but lacks the scope — re-authenticating
 * will not help. Log lines carry the token's name, never the token.
 */
export function authMiddleware(opts: AuthOptions): RequestHandler {
  return (req: Request, res: Response, next: NextFunction) => {
    const tokens = opts.tokens();
    const need: Requirement = requirementOf(req.method, req.path, opts);
    if (!tokens) {
      res.locals.principal = ANONYMOUS;
      next();
      return;
    }
    const header = req.headers.authorization;
    if (need === "open" && header === undefined) {
      res.locals.principal = ANONYMOUS;
      next();
      return;
    }
    const presented = header === undefined ? undefined : BEARER.exec(header)?.[1];
    const entry = presented === undefined ? undefined : tokens.authenticate(presented);
    if (need === "open") {
      res.locals.principal = entry?.name ?? ANONYMOUS;
      next();
      return;
    }
    if (!entry) {
      const reason = header === undefined ? "missing" : presented === undefined ? "malformed" : "unknown";
      opts.logger.debug("request refused: no valid token", { method: req.method, path: req.path, reason });
      res.setHeader(
        "WWW-Authenticate",
        header === undefined ? 'Bearer realm="modelgate"' : 'Bearer realm="modelgate", error="invalid_token"',
      );
      next(
        new HttpError(
          401,
          "unauthorized",
          header === undefined
            ? `${req.method} ${req.path} needs a bearer token with scope "${need}" (Authorization: Bearer <token>)`
            : presented === undefined
              ? "the Authorization header must be 'Bearer <token>'"
              : "the bearer token is not valid",
        ),
      );
      return;
    }
    if (!grants(entry.scopes, need)) {
      opts.logger.debug("request refused: missing scope", {
        method: req.method,
        path: req.path,
        token: entry.name,
        need,
      });
      res.setHeader(
        "WWW-Authenticate",
        `Bearer realm="modelgate", error="insufficient_scope", scope="${need}"`,
      );
      next(
        new HttpError(
          403,
          "forbidden",
          `token "${entry.name}" lacks scope "${need}" needed by ${req.method} ${req.path}`,
        ),
      );
      return;
    }
    res.locals.principal = entry.name;
    next();
  };
}
