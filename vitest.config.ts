import path from "node:path";
import { defineConfig } from "vitest/config";

export default defineConfig({
  resolve: {
    alias: {
      "@": path.resolve(import.meta.dirname),
      // `server-only` throws outside a React server build; its own react-server entry is empty.
      "server-only": path.resolve(import.meta.dirname, "node_modules/server-only/empty.js"),
    },
  },
  test: {
    include: ["tests/**/*.test.ts"],
    // Each file makes its own database; process-heavy files (workers, CLI) must not starve.
    fileParallelism: true,
    maxWorkers: 2,
    testTimeout: 60_000,
    hookTimeout: 60_000,
    env: {
      // `next build` inlines this (experimental.authInterrupts in next.config.ts); without it
      // unauthorized()/forbidden() throw "experimental" errors instead of their 401/403 digests.
      __NEXT_EXPERIMENTAL_AUTH_INTERRUPTS: "true",
    },
  },
});
