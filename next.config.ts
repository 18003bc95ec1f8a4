// Next.js configuration. PGlite (WASM + data files) and `pg` (optional native bits) must be
// loaded from node_modules at run time rather than bundled.
import type { NextConfig } from "next";

const nextConfig: NextConfig = {
  serverExternalPackages: ["@electric-sql/pglite", "pg"],
  poweredByHeader: false,
  reactStrictMode: true,
  // The dashboard is an operations tool: no static export, no image optimisation service needed.
  images: { unoptimized: true },
};

export default nextConfig;
