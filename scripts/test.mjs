#!/usr/bin/env node
// `npm test`: type check, lint, then every vitest suite that can run here (broker suites start
// real servers). Ends with one plain "N passed, N failed" line for CI.
import { spawnSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';

const extra = process.argv.slice(2);
const run = (cmd, args) => spawnSync(cmd, args, { stdio: 'inherit', shell: false }).status ?? 1;

if (!extra.length) {
  console.log('▶ type check');
  if (run('npx', ['tsc', '--noEmit', '-p', 'tsconfig.json']) !== 0) process.exit(1);
  console.log('▶ lint (runtime boundaries)');
  const dirs = ['main', 'electron', 'renderer', 'test', 'scripts'].filter((d) => fs.existsSync(d));
  if (run('npx', ['eslint', ...dirs]) !== 0) process.exit(1);
}

console.log('▶ tests');
const report = path.join(fs.mkdtempSync(path.join(os.tmpdir(), 'peregrine-test-')), 'vitest.json');
const status = run('npx', ['vitest', 'run', '--reporter=default', '--reporter=json', `--outputFile.json=${report}`, ...extra]);
if (fs.existsSync(report)) {
  const r = JSON.parse(fs.readFileSync(report, 'utf8'));
  const skipped = (r.numPendingTests ?? 0) + (r.numTodoTests ?? 0);
  console.log(`${r.numPassedTests} passed, ${r.numFailedTests} failed${skipped ? `, ${skipped} skipped` : ''}`);
}
process.exit(status);
