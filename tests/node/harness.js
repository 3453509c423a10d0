// Load a module written by the test, call its exported `run` once per case and
// print the results as JSON: {"ok": value} or {"error": message} per case.
// Usage: node harness.js MODULE_PATH CASES_JSON_PATH
"use strict";
const fs = require("fs");
const path = require("path");

async function main() {
  const [modulePath, casesPath] = process.argv.slice(2);
  const mod = require(path.resolve(modulePath));
  const cases = JSON.parse(fs.readFileSync(casesPath, "utf8"));
  const results = [];
  for (const args of cases) {
    try {
      const value = await mod.run(...args);
      results.push({ ok: value === undefined ? null : value });
    } catch (err) {
      results.push({ error: String(err && err.message ? err.message : err) });
    }
  }
  process.stdout.write(JSON.stringify(results));
}

main().catch((err) => {
  process.stderr.write(String(err && err.stack ? err.stack : err));
  process.exit(1);
});
