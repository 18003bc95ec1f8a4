// The one wrapper every /api/v1 route handler is built with (the route-handler twin of
// lib/actions/safe-action): resolve the caller (an `Authorization: Bearer` API token, else the
// session caller from getCaller()), check the role AND the token scope, parse path params, query
// and JSON body (capped while it streams: lib/api/body) with zod, run the handler with a typed
// context, and turn every failure into `{ "error": { "code", "message" } }` (lib/api/errors).
// Nothing else in app/api/v1 checks auth. GET and HEAD handlers read through getReadDb() (a
// replica when DATABASE_READ_URL is set, after the caller's own writes: lib/server/read-your-writes);
// every other method gets the primary, and its success is remembered for the caller's next reads.
import "server-only";
import { z } from "zod";
import type { Database } from "@/db/client";
import { describeDbError, getDb } from "@/lib/server/db";
import { getReadDb, primaryWriteLsn } from "@/lib/server/read-db";
import { readAfterCookie, rememberTokenWrite, requestReadAfter, withReadAfter } from "@/lib/server/read-your-writes";
import type { Actor } from "../audit/record";
import { AuthorizationError, authorize, authorizeScope, type Caller, callerActor, getCaller, type Role } from "../auth/caller";
import { foreignOrigin } from "../auth/origin";
import { type TokenScope, verifyApiToken } from "../auth/tokens";
import { MAX_JSON_BODY_BYTES, readCappedText } from "./body";
import { ApiError, errorResponse, NO_STORE, toErrorResponse } from "./errors";

/** A token's role comes from its scopes: `admin` acts as an admin, jobs:write as an operator, anything else as a viewer. */
export function tokenRoles(scopes: readonly TokenScope[]): Role[] {
  return scopes.includes("admin") ? ["admin"] : scopes.includes("jobs:write") ? ["operator"] : ["viewer"];
}

const SAFE_METHODS = new Set(["GET", "HEAD", "OPTIONS"]);

/**
 * The caller of an API request: a valid bearer token becomes a token caller (name, owner,
 * scopes); a present but invalid one is refused with 401 (never a fallback to the session);
 * without the header, the signed-in user of the session cookie — whose writes must come from
 * this site (a foreign Origin is refused with 403, so another page cannot use the cookie).
 */
export async function resolveRequestCaller(request: Request): Promise<Caller | null> {
  const header = request.headers.get("authorization");
  if (header === null) {
    const foreign = SAFE_METHODS.has(request.method) ? null : foreignOrigin(request.headers);
    if (foreign) throw new AuthorizationError(403, `cross-site request refused (Origin ${foreign.slice(0, 100)}); scripts should send an API token`);
    return getCaller();
  }
  const m = /^Bearer\s+(\S+)\s*$/i.exec(header);
  if (!m) throw new AuthorizationError(401, "the Authorization header must be `Bearer <token>`");
  const check = await verifyApiToken(await getDb(), m[1]);
  if (!check.ok) throw new AuthorizationError(401, check.reason);
  const t = check.token;
  return { name: `token:${t.name}`, owner: t.owner, tokenId: t.id, scopes: t.scopes, roles: tokenRoles(t.scopes), source: "token" };
}

export type RouteAuth = { role: Role; scope: TokenScope } | "public";

export interface ApiContext<P, Q, B> {
  /** null only on public routes. */
  caller: Caller;
  actor: Actor;
  /** GET/HEAD: the read handle (lib/server/read-db); any other method: the primary. */
  db: Database;
  params: P;
  query: Q;
  body: B;
  request: Request;
}

type Out<S> = S extends z.ZodType ? z.output<S> : undefined;

export interface RouteSpec<PS, QS, BS> {
  /** For logs: `GET /api/v1/admin/jobs`. */
  name: string;
  auth: RouteAuth;
  params?: PS;
  query?: QS;
  /** JSON body schema. An empty body parses as `{}`. */
  body?: BS;
  /** Read the body yourself (NDJSON): the wrapper leaves it unread. */
  rawBody?: boolean;
  handler: (ctx: ApiContext<Out<PS>, Out<QS>, Out<BS>>) => Promise<Response | object>;
}

/** URLSearchParams → object: repeated keys become arrays. */
export function searchParamsObject(sp: URLSearchParams): Record<string, string | string[]> {
  const out: Record<string, string | string[]> = {};
  for (const key of new Set(sp.keys())) {
    const all = sp.getAll(key);
    out[key] = all.length === 1 ? all[0] : all;
  }
  return out;
}

const DB_DOWN_CODES = new Set(["ECONNREFUSED", "ENOTFOUND", "ETIMEDOUT", "ECONNRESET", "EHOSTUNREACH", "57P01", "57P03", "08006", "08001", "53300"]);

function isDatabaseDown(err: unknown): boolean {
  const e = err as { code?: string; message?: string } | null;
  return !!e && ((typeof e.code === "string" && DB_DOWN_CODES.has(e.code)) || /Connection terminated|timeout exceeded when trying to connect/i.test(String(e.message)));
}

/** The JSON body (an empty one is `{}`), at most MAX_JSON_BODY_BYTES (413 beyond, before parsing). */
export async function readJsonBody(request: Request): Promise<unknown> {
  const type = request.headers.get("content-type") ?? "";
  const text = await readCappedText(request, MAX_JSON_BODY_BYTES, "JSON");
  if (!text.trim()) return {};
  if (type && !/json/i.test(type)) throw new ApiError(415, "unsupported_media_type", `send the body as application/json (got ${type.split(";")[0]})`);
  try {
    return JSON.parse(text);
  } catch (err) {
    throw new ApiError(400, "invalid_input", `the body is not valid JSON: ${(err as Error).message}`);
  }
}

/** After a successful write: the caller's next reads wait for the replica to replay it (no-op without one). */
async function rememberWrite(caller: Caller, response: Response): Promise<void> {
  const lsn = await primaryWriteLsn().catch(() => null);
  if (!lsn) return;
  if (caller.source === "token") rememberTokenWrite(caller, lsn);
  else response.headers.append("set-cookie", readAfterCookie(lsn));
}

type NextRouteContext = { params: Promise<Record<string, string | string[] | undefined>> };

export function apiRoute<PS extends z.ZodType | undefined = undefined, QS extends z.ZodType | undefined = undefined, BS extends z.ZodType | undefined = undefined>(
  spec: RouteSpec<PS, QS, BS>,
): (request: Request, context: NextRouteContext) => Promise<Response> {
  return async (request, context) => {
    try {
      let caller: Caller | null = null;
      if (spec.auth !== "public") {
        caller = await resolveRequestCaller(request);
        // Scope first: a token missing jobs:write is told which scope, not which role.
        authorizeScope(caller, spec.auth.scope);
        authorize(caller, spec.auth.role);
      }
      const rawParams = (await context?.params) ?? {};
      const params = spec.params ? await (spec.params as z.ZodType).parseAsync(rawParams) : undefined;
      const url = new URL(request.url);
      const query = spec.query ? await (spec.query as z.ZodType).parseAsync(searchParamsObject(url.searchParams)) : undefined;
      const body = spec.body && !spec.rawBody ? await (spec.body as z.ZodType).parseAsync(await readJsonBody(request)) : undefined;
      const reads = SAFE_METHODS.has(request.method);
      const ctx = {
        caller: caller as Caller,
        actor: caller ? callerActor(caller) : { name: "anonymous" },
        db: reads ? await getReadDb() : await getDb(),
        params,
        query,
        body,
        request,
      } as ApiContext<Out<PS>, Out<QS>, Out<BS>>;
      const out = reads ? await withReadAfter(requestReadAfter(request, caller), () => spec.handler(ctx)) : await spec.handler(ctx);
      const response = out instanceof Response ? out : Response.json(out, { headers: NO_STORE });
      if (!reads && caller && response.ok) await rememberWrite(caller, response);
      return response;
    } catch (err) {
      if (isDatabaseDown(err)) {
        console.error(`[jobdeck] api ${spec.name}: database unavailable: ${describeDbError(err)}`);
        return errorResponse(503, "unavailable", `the database is unavailable: ${describeDbError(err)}`);
      }
      return toErrorResponse(err, spec.name);
    }
  };
}

/** `{ id }` path params: a job or campaign id (positive whole number); anything else is a 400 naming it. */
export const idParams = (what: "job" | "campaign") =>
  z.object({
    id: z
      .string()
      .regex(/^[1-9]\d{0,15}$/, `id must be a ${what} id (a positive whole number)`)
      .transform(Number)
      .refine(Number.isSafeInteger, `id must be a ${what} id (a positive whole number)`),
  });
