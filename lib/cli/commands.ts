// The command table. Each command lives in its own file under lib/cli/commands/.
import { celeryBridgeCommand } from "./commands/celery-bridge";
import { campaignCancelCommand, campaignCreateCommand, campaignResumeCommand, campaignShowCommand } from "./commands/campaign";
import { enqueueCommand } from "./commands/enqueue";
import { jobsCancelCommand, jobsRetryCommand } from "./commands/jobs-bulk";
import { jobsListCommand } from "./commands/jobs-list";
import { migrateCommand } from "./commands/migrate";
import { recoverStaleCommand } from "./commands/recover-stale";
import { tokensCreateCommand, tokensListCommand, tokensRevokeCommand } from "./commands/tokens";
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
  enqueue: enqueueCommand,
  "jobs list": jobsListCommand,
  "jobs retry": jobsRetryCommand,
  "jobs cancel": jobsCancelCommand,
  "recover-stale": recoverStaleCommand,
  "campaign create": campaignCreateCommand,
  "campaign show": campaignShowCommand,
  "campaign resume": campaignResumeCommand,
  "campaign cancel": campaignCancelCommand,
  "tokens create": tokensCreateCommand,
  "tokens list": tokensListCommand,
  "tokens revoke": tokensRevokeCommand,
  "celery-bridge": celeryBridgeCommand,
};
