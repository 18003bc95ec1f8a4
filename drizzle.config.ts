import { defineConfig } from "drizzle-kit";

// Only generates SQL from db/schema.ts; migrations are applied by db/migrate.ts at start-up.
export default defineConfig({
  dialect: "postgresql",
  schema: "./db/schema.ts",
  out: "./db/migrations",
});
