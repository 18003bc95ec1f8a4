// Runs after the web server is up (Playwright starts webServer first; e2e/start-server.mjs made
// the fresh database). Checks that the app runs on the local e2e database and that it applied
// its migrations at start-up.
import type { FullConfig } from "@playwright/test";
import { E2E_DATABASE_URL, assertLocalDatabaseUrl, openE2eDatabase } from "./support/database";

export default async function globalSetup(config: FullConfig): Promise<void> {
  assertLocalDatabaseUrl(E2E_DATABASE_URL);
  const baseURL = config.projects[0]?.use.baseURL;
  const res = await fetch(`${baseURL}/api/health`);
  const health = (await res.json()) as { ok: boolean; database: string; pending_migrations?: string[] };
  const dbName = new URL(E2E_DATABASE_URL).pathname.slice(1);
  if (!health.ok || !health.database.endsWith(`/${dbName}`)) {
    throw new Error(`the app under test is not healthy on ${dbName}: ${JSON.stringify(health)}`);
  }
  const db = await openE2eDatabase();
  try {
    const applied = await db.query<{ tag: string }>("select tag from jobdeck_migrations order by id");
    if (!applied.length) throw new Error("the app did not apply migrations at start-up");
  } finally {
    await db.close();
  }
}
