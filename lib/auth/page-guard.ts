// The role check at the top of every page (server components only). The proxy already sends a
// browser without a session to /signin; this is the page's own check, so a page never renders
// for someone who may not see it:
//   no caller → /signin (?expired=1 when the browser still holds an ended session)
//   signed in but no mapped group → /no-access · weaker role → 403 (app/forbidden.tsx)
import "server-only";
import { cookies, headers } from "next/headers";
import { forbidden, redirect } from "next/navigation";
import { cache } from "react";
import { type Caller, getCaller, hasRole, type Role } from "./caller";
import { holdsSessionCookie } from "./settings";

/** The caller of this request, read once per render (the layout and the page share it). */
export const getPageCaller = cache(getCaller);

/** The page's caller, or the end of the request: redirect to /signin or /no-access, or forbidden(). */
export async function requirePageRole(role: Role = "viewer"): Promise<Caller> {
  const caller = await getPageCaller();
  if (!caller) {
    const q = new URLSearchParams();
    // Set by proxy.ts (which overwrites whatever a client sent); only a local path is used.
    const path = (await headers()).get("x-jobdeck-path");
    if (path?.startsWith("/") && !path.startsWith("//")) q.set("callbackUrl", path);
    const jar = await cookies();
    if (holdsSessionCookie((n) => jar.has(n))) q.set("expired", "1");
    redirect(q.size ? `/signin?${q}` : "/signin");
  }
  if (!caller.roles.length) redirect("/no-access");
  if (!hasRole(caller, role)) forbidden();
  return caller;
}
