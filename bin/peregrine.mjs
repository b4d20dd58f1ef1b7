#!/usr/bin/env node
// The `peregrine` command. Runs the bundled engine (npm run build) when it is newer than every
// source file, so a fresh edit is never shadowed by a stale bundle; otherwise the TypeScript
// sources through tsx.
import fs from 'node:fs';
import path from 'node:path';

const root = path.resolve(import.meta.dirname, '..');
const bundle = path.join(root, 'dist/engine/peregrine.mjs');

function newestSource(dir) {
  let newest = 0;
  for (const entry of fs.readdirSync(dir, { withFileTypes: true })) {
    const p = path.join(dir, entry.name);
    newest = Math.max(newest, entry.isDirectory() ? newestSource(p) : fs.statSync(p).mtimeMs);
  }
  return newest;
}

const mainDir = path.join(root, 'main');
if (fs.existsSync(bundle) && (!fs.existsSync(mainDir) || fs.statSync(bundle).mtimeMs > newestSource(mainDir))) {
  await import(bundle);
} else {
  const { register } = await import('tsx/esm/api');
  register();
  await import('../main/cli/index.ts');
}
