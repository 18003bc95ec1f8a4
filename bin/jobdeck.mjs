#!/usr/bin/env node
// The `jobdeck` command. The CLI is TypeScript; tsx compiles it (and TypeScript handler
// modules given to `jobdeck worker`) on the fly.
import { register } from "tsx/esm/api";

register();
const { main } = await import("../lib/cli/main.ts");
process.exitCode = await main(process.argv.slice(2));
