// The committed lockfile must satisfy `npm ci` exactly (CI has no `npm install` fallback), so a
// newcomer's `npm install` leaves it unchanged and CI installs what was tested. `npm ci
// --dry-run` in a scratch directory checks package.json against package-lock.json without
// touching node_modules (it needs the registry only for what is missing from its cache).
import { execFile } from "node:child_process";
import { copyFileSync, mkdtempSync, readFileSync, rmSync } from "node:fs";
import os from "node:os";
import path from "node:path";
import { promisify } from "node:util";
import { afterAll, describe, expect, it } from "vitest";

const root = path.resolve(import.meta.dirname, "../..");
const scratch = mkdtempSync(path.join(os.tmpdir(), "jobdeck-lock-"));
afterAll(() => rmSync(scratch, { recursive: true, force: true }));

describe("package-lock.json", () => {
  it("is in sync with package.json: `npm ci` accepts it", async () => {
    for (const f of ["package.json", "package-lock.json"]) copyFileSync(path.join(root, f), path.join(scratch, f));
    const run = await promisify(execFile)("npm", ["ci", "--dry-run", "--ignore-scripts", "--no-audit", "--no-fund"], { cwd: scratch, encoding: "utf8" }).then(
      (r) => ({ ok: true, out: r.stdout + r.stderr }),
      (e: { stdout?: string; stderr?: string }) => ({ ok: false, out: `${e.stdout ?? ""}${e.stderr ?? ""}` }),
    );
    expect(run.out.match(/npm error.*$/m)?.[0] ?? "", run.out.slice(-2000)).toBe("");
    expect(run.ok).toBe(true);
  }, 120_000);

  it("CI installs with `npm ci` and has no `npm install` fallback", () => {
    const ci = readFileSync(path.join(root, ".ci/run"), "utf8");
    // Commands, not comments or echoed advice.
    const commands = ci.split("\n").filter((l) => !/^\s*(#|echo\b)/.test(l));
    expect(commands.some((l) => /\bnpm ci\b/.test(l))).toBe(true);
    expect(commands.filter((l) => /\bnpm install\b/.test(l))).toEqual([]);
  });
});
