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

/** A one-line, secret-free description of why a database could not be used. */
export function describeDbError(err: unknown): string {
  const e = err as { code?: string; message?: string } | undefined;
  const first = String(e?.message ?? err ?? "unknown error").split("\n")[0].slice(0, 240);
  const code = e?.code && !first.includes(e.code) ? `${e.code}: ` : "";
  // Never echo a connection string that might carry a password.
  return (code + first).replace(/postgres(?:ql)?:\/\/[^\s]+/gi, "postgres://…");
}
