// Whether an error means "the database could not be reached" (down, refusing, restarting, out of
// connections, timed out connecting) rather than "it answered with an error". Pages show a banner
// and the API a 503 for the first kind; circuit breakers count only the first kind.
const DOWN_CODES = new Set(["ECONNREFUSED", "ENOTFOUND", "ETIMEDOUT", "ECONNRESET", "EHOSTUNREACH", "EAI_AGAIN", "57P01", "57P02", "57P03", "08006", "08001", "08004", "53300"]);

export function isDatabaseDown(err: unknown): boolean {
  const e = err as { code?: string; message?: string; name?: string } | null;
  if (!e) return false;
  if (e.name === "BreakerOpenError") return true;
  return (typeof e.code === "string" && DOWN_CODES.has(e.code)) || /Connection terminated|timeout exceeded when trying to connect|connect ECONNREFUSED/i.test(String(e.message));
}

/** What a read cancelled by JOBDECK_STATEMENT_TIMEOUT_MS tells its reader (pages, API, actions). */
export const QUERY_TIMEOUT_MESSAGE = "this filter scanned too long — narrow the time range";

/** SQLSTATE 57014 query_canceled: the statement timeout fired (or an operator cancelled the query). */
export function isStatementTimeout(err: unknown): boolean {
  return (err as { code?: unknown } | null)?.code === "57014";
}

/** A one-line, secret-free description of why a database could not be used. */
export function describeDbError(err: unknown): string {
  if (isStatementTimeout(err)) return QUERY_TIMEOUT_MESSAGE;
  const e = err as { code?: string; message?: string } | undefined;
  const first = String(e?.message ?? err ?? "unknown error").split("\n")[0].slice(0, 240);
  const code = e?.code && !first.includes(e.code) ? `${e.code}: ` : "";
  // Never echo a connection string that might carry a password.
  return (code + first).replace(/postgres(?:ql)?:\/\/[^\s]+/gi, "postgres://…");
}
