#!/usr/bin/env node
// `npm test`: type check, lint, then every suite that can run here — unit and integration (real
// brokers), the reliability suite at a size that fits CI, and the end-to-end tests in Chromium.
// Ends with one plain "N passed, N failed" line for CI. Extra arguments go to the main vitest run
// only (e.g. `npm test -- test/unit`).
import { spawnSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';

const extra = process.argv.slice(2);
const run = (cmd, args, env = {}) => spawnSync(cmd, args, { stdio: 'inherit', env: { ...process.env, ...env } }).status ?? 1;

if (!extra.length) {
  console.log('▶ type check');
  if (run('npx', ['tsc', '--noEmit', '-p', 'tsconfig.json']) !== 0) process.exit(1);
  for (const config of ['renderer/tsconfig.json', 'tsconfig.ui-tests.json']) {
    if (fs.existsSync(config) && run('npx', ['tsc', '--noEmit', '-p', config]) !== 0) process.exit(1);
  }
  console.log('▶ lint (runtime boundaries)');
  const dirs = ['main', 'electron', 'renderer', 'test', 'scripts', 'bench'].filter((d) => fs.existsSync(d));
  if (run('npx', ['eslint', ...dirs]) !== 0) process.exit(1);
}

const totals = { passed: 0, failed: 0, skipped: 0 };
let status = 0;
function vitest(title, args, env) {
  console.log(`▶ ${title}`);
  const report = path.join(fs.mkdtempSync(path.join(os.tmpdir(), 'peregrine-test-')), 'vitest.json');
  const code = run('npx', ['vitest', 'run', '--reporter=default', '--reporter=json', `--outputFile.json=${report}`, ...args], env);
  if (fs.existsSync(report)) {
    const r = JSON.parse(fs.readFileSync(report, 'utf8'));
    totals.passed += r.numPassedTests;
    totals.failed += r.numFailedTests;
    totals.skipped += (r.numPendingTests ?? 0) + (r.numTodoTests ?? 0);
  } else if (code !== 0) totals.failed++;
  if (code !== 0) status = code;
}

vitest('unit and integration tests', extra);
if (!extra.length) {
  vitest('reliability (CI size; `npm run test:reliability` for the full size)', ['-c', 'vitest.reliability.config.ts'], {
    PEREGRINE_RELIABILITY_MESSAGES: process.env.PEREGRINE_RELIABILITY_MESSAGES ?? '2000',
  });
  if (fs.existsSync('vitest.e2e.config.ts')) {
    if (run('npx', ['vite', 'build', '--logLevel', 'warn']) !== 0) process.exit(1);
    vitest('end-to-end tests (Chromium)', ['-c', 'vitest.e2e.config.ts']);
  }
}
console.log(`${totals.passed} passed, ${totals.failed} failed${totals.skipped ? `, ${totals.skipped} skipped` : ''}`);
process.exit(status);
