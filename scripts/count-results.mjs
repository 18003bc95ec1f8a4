// Sums vitest's and Playwright's JSON reports into the one closing line CI reads:
// "N passed, M failed". Exits 1 when anything failed or a report is missing.
import { existsSync, readFileSync } from "node:fs";

const [vitestPath, playwrightPath, extraFailures = "0"] = process.argv.slice(2);
let passed = 0;
let failed = Number(extraFailures);
let ok = true;

if (existsSync(vitestPath)) {
  const v = JSON.parse(readFileSync(vitestPath, "utf8"));
  passed += v.numPassedTests ?? 0;
  failed += (v.numFailedTests ?? 0) + (v.numFailedTestSuites ?? 0);
  console.error(`[test] vitest: ${v.numPassedTests} passed, ${v.numFailedTests} failed, ${v.numFailedTestSuites ?? 0} failed files`);
} else {
  console.error(`[test] vitest report missing (${vitestPath})`);
  failed += 1;
}

if (existsSync(playwrightPath)) {
  const p = JSON.parse(readFileSync(playwrightPath, "utf8"));
  const s = p.stats ?? {};
  passed += s.expected ?? 0;
  failed += (s.unexpected ?? 0) + (s.flaky ?? 0);
  if (p.errors?.length) failed += p.errors.length;
  console.error(`[test] playwright: ${s.expected ?? 0} passed, ${s.unexpected ?? 0} failed, ${s.flaky ?? 0} flaky, ${s.skipped ?? 0} skipped`);
} else if (Number(extraFailures) === 0) {
  console.error(`[test] playwright report missing (${playwrightPath})`);
  failed += 1;
}

if (failed > 0) ok = false;
console.log(`${passed} passed, ${failed} failed`);
process.exit(ok ? 0 : 1);
