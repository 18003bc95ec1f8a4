// API tokens (issue 6): `Authorization: Bearer jd_<id>_<secret>`. The secret is 32 random bytes
// (base64url), shown once at creation; only its sha256 is stored, and a request finds its row by
// the id in the token (primary key), then compares hashes in constant time. Scopes limit what a
// token may do on top of the role it maps to. Plain Node (no "server-only"): the CLI uses it too.
import { createHash, randomBytes, timingSafeEqual } from "node:crypto";
import type { Sql } from "../../db/client";
import { type Actor, recordAudit } from "../audit/record";

// `admin` lets a token act as an admin (bulk actions over JOBDECK_BULK_CONFIRM_THRESHOLD, the
// audit export, secret values) on top of its other scopes; `jobs:read-secrets` lifts the masking
// of JOBDECK_REDACT_KEYS from what jobs:read reads (lib/auth/caller maySeeSecrets). Only admins
// create tokens.
export const TOKEN_SCOPES = ["jobs:read", "jobs:write", "audit:read", "admin", "jobs:read-secrets"] as const;
export type TokenScope = (typeof TOKEN_SCOPES)[number];

export function isTokenScope(v: string): v is TokenScope {
  return (TOKEN_SCOPES as readonly string[]).includes(v);
}

/** `jobs:read,jobs:write` → scopes; throws on an unknown scope or none. */
export function parseScopes(value: string | readonly string[]): TokenScope[] {
  const parts = (typeof value === "string" ? value.split(",") : [...value]).map((s) => s.trim()).filter(Boolean);
  if (!parts.length) throw new Error(`give at least one scope: ${TOKEN_SCOPES.join(", ")}`);
  const bad = parts.find((s) => !isTokenScope(s));
  if (bad) throw new Error(`unknown scope "${bad}"; scopes are ${TOKEN_SCOPES.join(", ")}`);
  const scopes = [...new Set(parts as TokenScope[])];
  if (scopes.includes("jobs:read-secrets") && !scopes.includes("jobs:read")) {
    throw new Error("jobs:read-secrets only unmasks what jobs:read reads: give jobs:read too");
  }
  return scopes;
}

/** `30d`, `12h`, `90m` → milliseconds; throws on anything else. At most 5 years. */
export function parseExpiry(value: string): number {
  const m = /^\s*(\d{1,6})\s*([mhd])\s*$/i.exec(value);
  if (!m || Number(m[1]) <= 0) throw new Error(`expiry must look like 30d, 12h or 90m (got "${value}")`);
  const ms = Number(m[1]) * { m: 60_000, h: 3_600_000, d: 86_400_000 }[m[2].toLowerCase() as "m" | "h" | "d"];
  if (ms > 5 * 365 * 86_400_000) throw new Error("expiry must be at most 5 years");
  return ms;
}

export function hashSecret(secret: string): string {
  return createHash("sha256").update(secret, "utf8").digest("hex");
}

const TOKEN_RE = /^jd_([1-9]\d{0,15})_([A-Za-z0-9_-]{43})$/;

/** `jd_<id>_<secret>` → its parts, or null when it is not shaped like a Jobdeck token. */
export function splitToken(token: string): { id: number; secret: string } | null {
  const m = TOKEN_RE.exec(token.trim());
  if (!m) return null;
  const id = Number(m[1]);
  return Number.isSafeInteger(id) ? { id, secret: m[2] } : null;
}

export interface ApiTokenRow {
  id: number;
  name: string;
  owner: string;
  scopes: TokenScope[];
  created_by: string;
  created_at: Date;
  expires_at: Date | null;
  last_used_at: Date | null;
  revoked_at: Date | null;
}

const COLUMNS = "id, name, owner, scopes, created_by, created_at, expires_at, last_used_at, revoked_at";

export interface CreateTokenInput {
  name: string;
  owner: string;
  scopes: readonly TokenScope[];
  /** Lifetime in ms; null/undefined = never expires. */
  expiresInMs?: number | null;
  /** Who created it (audit actor). */
  actor: Actor;
}

/** Creates a token and audits it in the same transaction; returns the row and the token string (only now). */
export async function createApiToken(db: { tx<T>(fn: (q: Sql) => Promise<T>): Promise<T> }, input: CreateTokenInput): Promise<{ token: string; row: ApiTokenRow }> {
  const name = input.name.trim();
  const owner = input.owner.trim();
  if (!name || name.length > 100) throw new Error("name must be 1 to 100 characters");
  if (!owner || owner.length > 200) throw new Error("owner must be 1 to 200 characters");
  const scopes = parseScopes(input.scopes);
  const secret = randomBytes(32).toString("base64url");
  return db.tx(async (q) => {
    const [row] = await q.query<ApiTokenRow>(
      `insert into api_tokens (name, owner, token_hash, scopes, created_by, expires_at)
       values ($1, $2, $3, $4, $5, case when $6::float8 is null then null else now() + make_interval(secs => $6::float8 / 1000) end)
       returning ${COLUMNS}`,
      [name, owner, hashSecret(secret), scopes, input.actor.name, input.expiresInMs ?? null],
    );
    await recordAudit(q, {
      actor: input.actor,
      action: "tokens.create",
      targetIds: [row.id],
      affected: 1,
      outcome: "ok",
      details: { name, owner, scopes, expires_at: row.expires_at },
    });
    return { token: `jd_${row.id}_${secret}`, row };
  });
}

export async function listApiTokens(q: Sql, opts: { includeRevoked?: boolean } = {}): Promise<(ApiTokenRow & { expired: boolean })[]> {
  return q.query<ApiTokenRow & { expired: boolean }>(
    `select ${COLUMNS}, coalesce(expires_at <= now(), false) as expired from api_tokens
     ${opts.includeRevoked === false ? "where revoked_at is null" : ""}
     order by id desc limit 1000`,
  );
}

/** Revokes a token (idempotent: revoking twice keeps the first time); audited. null when unknown. */
export async function revokeApiToken(db: { tx<T>(fn: (q: Sql) => Promise<T>): Promise<T> }, id: number, actor: Actor): Promise<ApiTokenRow | null> {
  return db.tx(async (q) => {
    const [row] = await q.query<ApiTokenRow>(
      `update api_tokens set revoked_at = coalesce(revoked_at, now()) where id = $1 returning ${COLUMNS}`,
      [id],
    );
    if (!row) return null;
    await recordAudit(q, {
      actor,
      action: "tokens.revoke",
      targetIds: [id],
      affected: 1,
      outcome: "ok",
      details: { name: row.name, owner: row.owner },
    });
    return row;
  });
}

export interface VerifiedToken {
  id: number;
  name: string;
  owner: string;
  scopes: TokenScope[];
}

export type TokenCheck = { ok: true; token: VerifiedToken } | { ok: false; reason: string };

/**
 * Looks a presented token up by id and checks its secret, revocation and expiry. Touches
 * last_used_at at most once a minute (a cheap conditional update, not on every request).
 */
export async function verifyApiToken(q: Sql, presented: string): Promise<TokenCheck> {
  const parts = splitToken(presented);
  if (!parts) return { ok: false, reason: "the bearer token is not a Jobdeck API token (jd_<id>_<secret>)" };
  const [row] = await q.query<ApiTokenRow & { token_hash: string; expired: boolean; touch: boolean }>(
    `select ${COLUMNS}, token_hash, coalesce(expires_at <= now(), false) as expired,
       (last_used_at is null or last_used_at < now() - interval '1 minute') as touch
     from api_tokens where id = $1`,
    [parts.id],
  );
  const given = Buffer.from(hashSecret(parts.secret), "hex");
  // Compare even when the row is missing, so timing says nothing about which ids exist.
  const stored = Buffer.from(row?.token_hash ?? "0".repeat(64), "hex");
  const match = given.length === stored.length && timingSafeEqual(given, stored) && !!row;
  if (!match) return { ok: false, reason: "invalid API token" };
  if (row.revoked_at) return { ok: false, reason: "this API token was revoked" };
  if (row.expired) return { ok: false, reason: "this API token has expired" };
  if (row.touch) {
    await q
      .query("update api_tokens set last_used_at = now() where id = $1 and (last_used_at is null or last_used_at < now() - interval '1 minute')", [row.id])
      .catch(() => {});
  }
  return { ok: true, token: { id: row.id, name: row.name, owner: row.owner, scopes: row.scopes.filter(isTokenScope) } };
}
