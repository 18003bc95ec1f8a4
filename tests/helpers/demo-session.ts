// Signs in through the real next-auth flow of a running server, as a browser would: fetch the
// CSRF token (its cookie goes in the jar), post the demo sign-in form, keep the cookies it sets.
// The server must allow the demo sign-in (tests/api/server.ts starts it with JOBDECK_DEMO_AUTH=1).
import type { Role } from "../../lib/auth/roles";

export class CookieJar {
  readonly cookies = new Map<string, string>();
  /** Every Set-Cookie line seen, for tests of the cookie attributes. */
  readonly setCookieLines: string[] = [];

  take(r: Response): void {
    for (const line of r.headers.getSetCookie()) {
      this.setCookieLines.push(line);
      const [pair] = line.split(";");
      const eq = pair.indexOf("=");
      const name = pair.slice(0, eq).trim();
      const value = pair.slice(eq + 1).trim();
      if (value === "" || /;\s*max-age=0/i.test(line)) this.cookies.delete(name);
      else this.cookies.set(name, value);
    }
  }

  header(): string {
    return [...this.cookies].map(([k, v]) => `${k}=${v}`).join("; ");
  }

  /** The Set-Cookie line that last set `name`. */
  line(name: string): string | undefined {
    return this.setCookieLines.filter((l) => l.startsWith(`${name}=`)).at(-1);
  }
}

/** Signs in as the demo user of `role`; returns the jar holding the session cookie. */
export async function demoSignIn(baseUrl: string, role: Role, extraHeaders: Record<string, string> = {}): Promise<CookieJar> {
  const jar = new CookieJar();
  const csrf = await fetch(`${baseUrl}/api/auth/csrf`, { headers: extraHeaders });
  jar.take(csrf);
  const { csrfToken } = (await csrf.json()) as { csrfToken: string };
  const r = await fetch(`${baseUrl}/api/auth/callback/demo`, {
    method: "POST",
    redirect: "manual",
    headers: { ...extraHeaders, cookie: jar.header(), "content-type": "application/x-www-form-urlencoded" },
    body: new URLSearchParams({ csrfToken, role, callbackUrl: "/" }).toString(),
  });
  jar.take(r);
  if (r.status !== 302 || ![...jar.cookies.keys()].some((k) => k.endsWith("next-auth.session-token"))) {
    throw new Error(`demo sign-in as ${role} failed: ${r.status} ${r.headers.get("location")} ${await r.text()}`);
  }
  return jar;
}
