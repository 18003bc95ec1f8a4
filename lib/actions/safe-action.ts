// The one wrapper every server action is built with: refuse a cross-site call, load the caller
// from the session, check the role (authorize), parse the input with zod, run the body with a
// typed context, and turn every outcome into a value the client can show:
//   { ok: true, ...data } | { ok: false, error, code, fieldErrors? }
// A caller who may not use the action at all (no session: 401, too weak a role or a foreign
// Origin: 403) is refused with Next's unauthorized()/forbidden(): the HTTP status says so and the
// browser shows the sign-in or forbidden page. Refusals inside an allowed action (more jobs than
// the operator threshold) and other expected failures become clear messages; anything else is
// logged here on the server and returned as a generic message.
import { revalidatePath } from "next/cache";
import { forbidden, unauthorized } from "next/navigation";
import { z } from "zod";
import type { Database } from "@/db/client";
import { isStatementTimeout, QUERY_TIMEOUT_MESSAGE } from "@/db/outage";
import { getDb } from "@/lib/server/db";
import { primaryWriteLsn } from "@/lib/server/read-db";
import { setReadAfterCookie } from "@/lib/server/read-your-writes";
import type { Actor } from "../audit/record";
import { bulkGuard } from "../auth/bulk-limit";
import { AuthorizationError, authorize, type Caller, callerActor, getCaller, type Role } from "../auth/caller";
import { foreignOrigin } from "../auth/origin";
import { JobFilterError } from "../filters/job-filter";
import { BulkInterruptedError } from "../operations/bulk";
import { QueueError } from "../queue/state-machine";
import { BreakerOpenError } from "../sources/breaker";
import { CapabilityError, SourceUnavailableError, UnknownSourceError } from "../sources/types";

export type ActionErrorCode = "invalid_input" | "unauthorized" | "forbidden" | "not_found" | "conflict" | "unsupported" | "unavailable" | "interrupted" | "internal";

export type ActionFailure = {
  ok: false;
  error: string;
  code: ActionErrorCode;
  /** Input field → messages, for forms and filter bars. */
  fieldErrors?: Record<string, string[]>;
};
export type ActionResult<T> = ({ ok: true } & T) | ActionFailure;

export interface ActionContext {
  caller: Caller;
  actor: Actor;
  db: Database;
  /** A stricter check inside the body: throws a 403 that the action returns as a message. */
  requireRole(role: Role): void;
  /** applyBulk's guard: more jobs than JOBDECK_BULK_CONFIRM_THRESHOLD at once needs admin. */
  bulkGuard: (willChange: number) => void;
}

/** The request's headers, or null outside a Next request (tests and scripts using runAsCaller). */
async function requestHeaders(): Promise<Headers | null> {
  try {
    const { headers } = await import("next/headers");
    return await headers();
  } catch {
    return null;
  }
}

/**
 * Admits the caller to the action or ends the request: 401 (unauthorized()) without a session,
 * 403 (forbidden()) for a weaker role or a call from another site. Logged, so refusals are seen.
 */
async function admit(role: Role, label: string): Promise<Caller> {
  const h = await requestHeaders();
  const foreign = h && foreignOrigin(h);
  const caller = await getCaller();
  if (foreign) {
    console.warn(`[jobdeck] ${label}: refused a call from another site (Origin ${foreign.slice(0, 100)})`);
    forbidden();
  }
  try {
    authorize(caller, role);
  } catch (err) {
    if (!(err instanceof AuthorizationError)) throw err;
    console.warn(`[jobdeck] ${label}: refused ${caller ? caller.name : "an anonymous caller"}: ${err.message}`);
    if (err.status === 401) unauthorized();
    forbidden();
  }
  return caller;
}

/** FormData → plain object: repeated keys become arrays, files are dropped. */
export function formDataToObject(fd: FormData): Record<string, string | string[]> {
  const out: Record<string, string | string[]> = {};
  for (const key of new Set(fd.keys())) {
    if (key.startsWith("$ACTION")) continue; // Next's own form fields
    const values = fd.getAll(key).filter((v): v is string => typeof v === "string");
    if (values.length) out[key] = values.length === 1 ? values[0] : values;
  }
  return out;
}

function isFormData(v: unknown): v is FormData {
  return typeof FormData !== "undefined" && v instanceof FormData;
}

/** Next's redirect()/notFound() throw control-flow errors that must pass through untouched. */
function isNextControlFlow(err: unknown): boolean {
  const digest = (err as { digest?: unknown } | null)?.digest;
  return typeof digest === "string" && /^(NEXT_REDIRECT|NEXT_NOT_FOUND|NEXT_HTTP_ERROR_FALLBACK|DYNAMIC_SERVER_USAGE|BAILOUT_TO_CLIENT_SIDE_RENDERING)/.test(digest);
}

const QUEUE_CODES: Record<QueueError["code"], ActionErrorCode> = {
  not_found: "not_found",
  illegal_transition: "conflict",
  job_running: "conflict",
  lost_lease: "conflict",
  invalid_input: "invalid_input",
  conflict: "conflict",
};

/** Maps any thrown value to the failure value an action returns. Logs what it does not expect. */
export function actionFailure(err: unknown, label = "action"): ActionFailure {
  if (err instanceof AuthorizationError) return { ok: false, error: err.message, code: err.status === 401 ? "unauthorized" : "forbidden" };
  if (err instanceof z.ZodError) {
    const fieldErrors: Record<string, string[]> = {};
    for (const i of err.issues) (fieldErrors[i.path.length ? i.path.map(String).join(".") : "input"] ??= []).push(i.message);
    const first = err.issues[0];
    const field = first?.path.length ? `${first.path.map(String).join(".")}: ` : "";
    return { ok: false, error: `${field}${first?.message ?? "invalid input"}`, code: "invalid_input", fieldErrors };
  }
  if (err instanceof JobFilterError) return { ok: false, error: `invalid filter: ${err.message}`, code: "invalid_input", fieldErrors: err.fieldErrors() };
  if (err instanceof QueueError) return { ok: false, error: err.message, code: QUEUE_CODES[err.code] };
  if (err instanceof CapabilityError) return { ok: false, error: err.message, code: "unsupported" };
  if (err instanceof UnknownSourceError) return { ok: false, error: err.message, code: "invalid_input", fieldErrors: { source: [err.message] } };
  if (err instanceof SourceUnavailableError || err instanceof BreakerOpenError) return { ok: false, error: err.message, code: "unavailable" };
  if (isStatementTimeout(err)) return { ok: false, error: QUERY_TIMEOUT_MESSAGE, code: "unavailable" };
  if (err instanceof BulkInterruptedError) {
    console.error(`[jobdeck] ${label} interrupted:`, err.cause);
    return { ok: false, error: `The action stopped part-way: ${err.partial.affected + err.partial.cancel_requested} jobs were already changed in ${err.partial.batches} committed batches; nothing else was touched. Try again to finish.`, code: "interrupted" };
  }
  console.error(`[jobdeck] ${label} failed:`, err);
  return { ok: false, error: "Something went wrong on the server; the details were logged. Nothing was changed by the failed step.", code: "internal" };
}

/**
 * Builds a server action: `operatorAction(schema, "operator", async (input, ctx) => ({ ... }))`.
 * The action accepts a plain object (from client code) or FormData (from a <form>), and also the
 * `(prevState, formData)` call of useActionState.
 */
export function operatorAction<S extends z.ZodType, T extends object>(
  schema: S,
  role: Role,
  body: (input: z.output<S>, ctx: ActionContext) => Promise<T>,
  opts: { name?: string } = {},
): (...args: unknown[]) => Promise<ActionResult<T>> {
  return async (...args: unknown[]): Promise<ActionResult<T>> => {
    const caller = await admit(role, opts.name ?? "action");
    try {
      const raw = args.length > 1 && isFormData(args[1]) ? args[1] : args[0];
      const input = await schema.parseAsync(isFormData(raw) ? formDataToObject(raw) : (raw ?? {}));
      const ctx: ActionContext = {
        caller,
        actor: callerActor(caller),
        db: await getDb(),
        requireRole: (r) => authorize(caller, r),
        bulkGuard: bulkGuard(caller),
      };
      const data = await body(input, ctx);
      // With a read replica, this browser's next reads wait until it has replayed the write.
      const lsn = await primaryWriteLsn().catch(() => null);
      if (lsn) await setReadAfterCookie(lsn);
      return { ok: true, ...data } as ActionResult<T>;
    } catch (err) {
      if (isNextControlFlow(err)) throw err;
      return actionFailure(err, opts.name);
    }
  };
}

/**
 * revalidatePath for each path (a trailing "/*" revalidates the layout: the page and its
 * sub-pages). Outside a Next request — a test or a script calling an action — there is no cache
 * to revalidate, and Next's "static generation store missing" invariant is skipped.
 */
export function revalidate(...paths: string[]): void {
  for (const p of paths) {
    try {
      if (p.endsWith("/*")) revalidatePath(p.slice(0, -2) || "/", "layout");
      else revalidatePath(p);
    } catch (err) {
      if (!/static generation store missing/.test(String((err as Error)?.message))) throw err;
    }
  }
}
