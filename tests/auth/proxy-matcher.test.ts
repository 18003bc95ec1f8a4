// Which requests go through proxy.ts, over HTTP against `next start`: every page URL does —
// whatever it ends in (/jobs/x.js is a job page with an id nobody has) — so it gets the CSP with
// its nonce and, without a session, the sign-in redirect. Only real static files skip it: Next's
// /_next/static chunks, the app icon and each file in public/ load without a session.
import { readdirSync } from "node:fs";
import path from "node:path";
import { afterAll, beforeAll, describe, expect, test } from "vitest";
import { type CookieJar, demoSignIn } from "../helpers/demo-session";
import { createTestDatabase, type TestDatabase } from "../helpers/test-db";
import { appDir, type RunningServer, startServer } from "../api/server";

let t: TestDatabase;
let app: RunningServer;
let viewer: CookieJar;

beforeAll(async () => {
  t = await createTestDatabase("auth_proxy_matcher");
  app = await startServer({ databaseUrl: t.url });
  viewer = await demoSignIn(app.url, "viewer");
}, 120_000);

afterAll(async () => {
  await app?.stop();
  await t?.drop();
});

const nonceOf = (r: Response) => /script-src [^;]*'nonce-([A-Za-z0-9+/=]+)'/.exec(r.headers.get("content-security-policy") ?? "")?.[1];
const PAGE_URLS = ["/jobs/x.js", "/jobs/x.css", "/jobs/report.txt", "/jobs/logo.png", "/jobs/icon.svg", "/workers.js", "/robots.txt", "/jobs?x=.css", "/jobs?file=a.js"];

describe("page URLs with a file extension", () => {
  test.each(PAGE_URLS)("%s without a session is redirected to sign in, and back", async (url) => {
    const r = await fetch(app.url + url, { redirect: "manual" });
    expect(r.status).toBe(307);
    const to = new URL(r.headers.get("location")!, app.url);
    expect(to.pathname).toBe("/signin");
    expect(to.searchParams.get("callbackUrl")).toBe(url);
  });

  test.each(PAGE_URLS)("%s with a session carries the CSP with a nonce on every script", async (url) => {
    const r = await fetch(app.url + url, { redirect: "manual", headers: { cookie: viewer.header() } });
    expect([200, 404]).toContain(r.status);
    const nonce = nonceOf(r);
    expect(nonce).toBeTruthy();
    const tags = (await r.text()).match(/<script\b[^>]*>/g) ?? [];
    expect(tags.length).toBeGreaterThan(0);
    for (const tag of tags) expect(tag).toContain(`nonce="${nonce}"`);
  });
});

describe("static files load without a session", () => {
  test("Next's /_next/static scripts and styles of a page", async () => {
    const html = await (await fetch(`${app.url}/signin`)).text();
    const assets = [...new Set([...html.matchAll(/(?:src|href)="(\/_next\/static\/[^"]+\.(?:js|css))"/g)].map((m) => m[1]))];
    expect(assets.some((a) => a.endsWith(".js"))).toBe(true);
    expect(assets.some((a) => a.endsWith(".css"))).toBe(true);
    for (const a of assets) {
      const r = await fetch(app.url + a, { redirect: "manual" });
      expect(r.status, a).toBe(200);
      expect(r.headers.get("content-type"), a).toMatch(a.endsWith(".js") ? /javascript/ : /text\/css/);
    }
  });

  test("every file in public/, and the app icon", async () => {
    const files = readdirSync(path.join(await appDir(), "public"));
    expect(files.length).toBeGreaterThan(0);
    for (const f of [...files, "icon.svg"]) {
      const r = await fetch(`${app.url}/${f}`, { redirect: "manual" });
      expect(r.status, f).toBe(200);
      expect(r.headers.get("content-type"), f).toMatch(/^image\//);
    }
  });
});
