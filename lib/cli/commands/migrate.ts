import { openDatabase } from "../../../db/client";
import { migrate } from "../../../db/migrate";
import { parseOptions } from "../args";
import type { Command } from "../commands";

export const migrateCommand: Command = {
  summary: "apply pending database migrations",
  help: `Usage: jobdeck migrate

Applies the migrations this version knows and the database has not applied yet. Safe to run
while other Jobdeck processes start: they wait for each other on an advisory lock.`,
  async run(args) {
    parseOptions(args, {});
    const db = await openDatabase({ max: 1, applicationName: "jobdeck-cli" });
    try {
      const applied = await migrate(db);
      process.stdout.write(applied.length ? `applied ${applied.join(", ")} on ${db.label}\n` : `up to date on ${db.label}\n`);
    } finally {
      await db.close();
    }
  },
};
