// The `jobdeck` CLI entry: dispatches to a command and maps failures to exit codes
// (0 success, 1 failure, 2 bad usage) with a one-line message on stderr (made printable: it may
// quote input or job data).
import { commands } from "./commands";
import { CliError, EXIT_USAGE } from "./errors";
import { printable } from "./text";

const USAGE = `Usage: jobdeck <command> [options]

Commands:
${Object.entries(commands)
  .map(([name, c]) => `  ${name.padEnd(16)} ${c.summary}`)
  .join("\n")}

Every command talks to the database of DATABASE_URL (or the embedded database in
JOBDECK_DATA_DIR when DATABASE_URL is unset). Run \`jobdeck <command> --help\` for its options.`;

export async function main(argv: string[]): Promise<number> {
  const [first, second, ...rest] = argv;
  if (!first || first === "--help" || first === "-h" || first === "help") {
    process.stdout.write(`${USAGE}\n`);
    return first ? 0 : EXIT_USAGE;
  }
  // Two-word commands ("jobs list", "campaign show") are looked up first.
  const twoWord = second !== undefined ? `${first} ${second}` : undefined;
  const name = twoWord && twoWord in commands ? twoWord : first;
  const args = name === twoWord ? rest : [second, ...rest].filter((a): a is string => a !== undefined);
  const command = commands[name];
  if (!command) {
    const group = Object.keys(commands).filter((c) => c.startsWith(`${first} `));
    process.stderr.write(
      group.length
        ? `jobdeck: "${printable(argv.slice(0, 2).join(" "))}" is not a command; try one of: ${group.join(", ")}\n`
        : `jobdeck: unknown command "${printable(first)}"; run jobdeck --help\n`,
    );
    return EXIT_USAGE;
  }
  if (args.includes("--help") || args.includes("-h")) {
    process.stdout.write(`${command.help}\n`);
    return 0;
  }
  try {
    return (await command.run(args)) ?? 0;
  } catch (err) {
    if (err instanceof CliError) {
      process.stderr.write(`jobdeck ${name}: ${printable(err.message)}\n`);
      return err.exitCode;
    }
    process.stderr.write(`jobdeck ${name}: ${printable((err as Error).message ?? String(err))}\n`);
    return 1;
  }
}
