// Builds the UI once before the e2e files run (the server serves dist/renderer).
// PEREGRINE_E2E_SKIP_BUILD=1 reuses an existing build.
import { execFileSync } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';

const ROOT = path.resolve(import.meta.dirname, '../../..');

export default function setup(): void {
  const index = path.join(ROOT, 'dist/renderer/index.html');
  if (process.env.PEREGRINE_E2E_SKIP_BUILD === '1' && fs.existsSync(index)) return;
  execFileSync(process.execPath, [path.join(ROOT, 'node_modules/vite/bin/vite.js'), 'build', '--logLevel', 'warn'], { cwd: ROOT, stdio: 'inherit', env: { ...process.env, NODE_ENV: 'production' } });
}
