// Next.js configuration. PGlite (WASM + data files) and `pg` (optional native bits) must be
// loaded from node_modules at run time rather than bundled.
import type { NextConfig } from "next";

const isDev = process.env.NODE_ENV !== "production";

/**
 * Content-Security-Policy. Everything is served by Jobdeck itself ('self'); nothing may frame it.
 * script-src needs 'unsafe-inline' for Next's inline bootstrap (the RSC payload scripts) and the
 * theme script in app/layout.tsx: the pages are dynamic, so nonces would be possible, but only
 * through a proxy that Jobdeck does not have yet. 'unsafe-eval' only in `next dev` (React's dev
 * build needs it); style-src 'unsafe-inline' for React/recharts style attributes.
 */
function contentSecurityPolicy(dev = isDev): string {
  return [
    "default-src 'self'",
    `script-src 'self' 'unsafe-inline'${dev ? " 'unsafe-eval'" : ""}`,
    "style-src 'self' 'unsafe-inline'",
    "img-src 'self' data: blob:",
    "font-src 'self' data:",
    `connect-src 'self'${dev ? " ws: wss:" : ""}`,
    "object-src 'none'",
    "base-uri 'self'",
    "form-action 'self'",
    "frame-ancestors 'none'",
  ].join("; ");
}

const SECURITY_HEADERS = [
  { key: "Content-Security-Policy", value: contentSecurityPolicy() },
  { key: "X-Frame-Options", value: "DENY" },
  { key: "X-Content-Type-Options", value: "nosniff" },
  { key: "Referrer-Policy", value: "strict-origin-when-cross-origin" },
  { key: "Permissions-Policy", value: "camera=(), microphone=(), geolocation=(), payment=()" },
];

const nextConfig: NextConfig = {
  serverExternalPackages: ["@electric-sql/pglite", "pg"],
  poweredByHeader: false,
  reactStrictMode: true,
  // forbidden()/unauthorized(): a server action refused at the door answers 403/401 and the
  // browser shows app/forbidden.tsx or app/unauthorized.tsx (lib/actions/safe-action.ts).
  experimental: { authInterrupts: true },
  // The dashboard is an operations tool: no static export, no image optimisation service needed.
  images: { unoptimized: true },
  async headers() {
    return [{ source: "/:path*", headers: SECURITY_HEADERS }];
  },
};

export default nextConfig;
