// Next.js configuration. PGlite (WASM + data files) and `pg` (optional native bits) must be
// loaded from node_modules at run time rather than bundled; so are the pg-boss libraries the pg-boss
// source acts with (lib/sources/pgboss/library.ts), which load `pg` themselves, and graphile-worker,
// which the demo's "mail" application runs (lib/demo/graphile.ts): it loads `pg` and its config
// loader at run time; so are the Celery bridge's broker clients (ioredis, amqplib).
import type { NextConfig } from "next";

// The Content-Security-Policy is set per page request by proxy.ts (it carries a nonce):
// lib/security/csp.ts. These headers go on every response.
const SECURITY_HEADERS = [
  { key: "X-Frame-Options", value: "DENY" },
  { key: "X-Content-Type-Options", value: "nosniff" },
  { key: "Referrer-Policy", value: "strict-origin-when-cross-origin" },
  { key: "Permissions-Policy", value: "camera=(), microphone=(), geolocation=(), payment=()" },
];

const nextConfig: NextConfig = {
  serverExternalPackages: ["@electric-sql/pglite", "pg", "pg-boss", "pg-boss-v12", "graphile-worker", "ioredis", "amqplib"],
  poweredByHeader: false,
  reactStrictMode: true,
  // forbidden()/unauthorized(): a server action refused at the door answers 403/401 and the
  // browser shows app/forbidden.tsx or app/unauthorized.tsx (lib/actions/safe-action.ts).
  experimental: { authInterrupts: true },
  // The dashboard is an operations tool: no static export, no image optimisation service needed.
  images: { unoptimized: true },
  async headers() {
    return [
      { source: "/:path*", headers: SECURITY_HEADERS },
      // API responses are data, never documents: nothing in them may load or run.
      { source: "/api/:path*", headers: [{ key: "Content-Security-Policy", value: "default-src 'none'; frame-ancestors 'none'; base-uri 'none'; form-action 'none'" }] },
    ];
  },
};

export default nextConfig;
