// Read-your-writes with a replica. The rule: after a caller's write succeeds (a server action or
// a non-GET API request), the primary's pg_current_wal_lsn() is remembered for that caller for
// READ_AFTER_SECONDS; until the replica has replayed past it, that caller's reads go to the
// primary. Browsers carry it in a short-lived cookie (so it holds whichever app replica answers
// next); API tokens are remembered in this process's memory (a token client sends no cookies).
// Only while DATABASE_READ_URL is set; without a replica every read is on the primary anyway.
import "server-only";
import { AsyncLocalStorage } from "node:async_hooks";
import type { Caller } from "../auth/caller";
import { parseLsn } from "./replica-monitor";

export const READ_AFTER_COOKIE = "jobdeck_read_after";
/** Longer than any lag a replica should have; a replica further behind shows the lag banner instead. */
export const READ_AFTER_SECONDS = 30;

type Shared = {
  jobdeckReadAfter?: AsyncLocalStorage<{ lsn: bigint | null }>;
  jobdeckTokenWrites?: Map<string, { lsn: bigint; until: number }>;
};
// On globalThis: pages, route handlers and the instrumentation bundle each have copies of this module.
const shared = globalThis as typeof globalThis & Shared;
const store = (shared.jobdeckReadAfter ??= new AsyncLocalStorage());
const tokenWrites = (shared.jobdeckTokenWrites ??= new Map());

const tokenKey = (caller: Caller) => (caller.tokenId !== undefined ? `token:${caller.tokenId}` : null);

/** The cookie's value: the LSN text, URL-encoded as Next's cookies().set writes it ("0%2F306FF60"); anything else is ignored. */
export function lsnFromCookieHeader(header: string | null): bigint | null {
  const m = header ? new RegExp(`(?:^|;\\s*)${READ_AFTER_COOKIE}=([0-9A-Fa-f]+(?:/|%2F)[0-9A-Fa-f]+)`, "i").exec(header) : null;
  return m ? parseLsn(decodeURIComponent(m[1])) : null;
}

export function readAfterCookie(lsn: string): string {
  return `${READ_AFTER_COOKIE}=${encodeURIComponent(lsn)}; Path=/; Max-Age=${READ_AFTER_SECONDS}; HttpOnly; SameSite=Lax`;
}

/** Remembers a token caller's write (the cookie is the caller's own job). */
export function rememberTokenWrite(caller: Caller, lsn: string): void {
  const key = tokenKey(caller);
  const value = parseLsn(lsn);
  if (!key || value === null) return;
  const now = Date.now();
  if (tokenWrites.size > 1_000) for (const [k, v] of tokenWrites) if (v.until < now) tokenWrites.delete(k);
  tokenWrites.set(key, { lsn: value, until: now + READ_AFTER_SECONDS * 1000 });
}

/** The LSN this API request must read at least: its cookie's or its token's, whichever is later. */
export function requestReadAfter(request: Request, caller: Caller | null): bigint | null {
  const cookie = lsnFromCookieHeader(request.headers.get("cookie"));
  const key = caller && tokenKey(caller);
  const remembered = key ? tokenWrites.get(key) : undefined;
  const token = remembered && remembered.until > Date.now() ? remembered.lsn : null;
  return cookie === null ? token : token === null || cookie > token ? cookie : token;
}

/** Runs an API request's handler with its read-after position (read by the read handle). */
export function withReadAfter<T>(lsn: bigint | null, fn: () => Promise<T>): Promise<T> {
  return store.run({ lsn }, fn);
}

/** The position the current request must read at least: set by the API wrapper, else the page's cookie. */
export async function currentReadAfter(): Promise<bigint | null> {
  const s = store.getStore();
  if (s) return s.lsn;
  try {
    const { cookies } = await import("next/headers");
    const value = (await cookies()).get(READ_AFTER_COOKIE)?.value;
    return value ? parseLsn(value) : null;
  } catch {
    return null; // outside a request (start-up, maintenance): no caller to read after
  }
}

/** Sets the cookie from a server action (outside a request there is nobody to tell). */
export async function setReadAfterCookie(lsn: string): Promise<void> {
  try {
    const { cookies } = await import("next/headers");
    (await cookies()).set(READ_AFTER_COOKIE, lsn, { path: "/", maxAge: READ_AFTER_SECONDS, httpOnly: true, sameSite: "lax" });
  } catch {
    // a test or script calling the action directly
  }
}
