// Runs once when a Next.js server starts. The Node.js part (database, migrations, demo) lives in
// lib/server/startup.ts, imported only on the nodejs runtime so the edge bundle stays clean.
export async function register(): Promise<void> {
  if (process.env.NEXT_RUNTIME !== "nodejs") return;
  const { startServer } = await import("./lib/server/startup");
  await startServer();
}
