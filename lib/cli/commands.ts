// The command table. Each command lives in its own file under lib/cli/commands/.
import { migrateCommand } from "./commands/migrate";
import { workerCommand } from "./commands/worker";

export interface Command {
  summary: string;
  help: string;
  /** Returns the exit code (default 0); throws CliError for expected failures. */
  run(args: string[]): Promise<number | void>;
}

export const commands: Record<string, Command> = {
  migrate: migrateCommand,
  worker: workerCommand,
};
