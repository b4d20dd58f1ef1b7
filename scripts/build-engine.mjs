#!/usr/bin/env node
// Bundles the engine's command line into one ES module (dist/engine/peregrine.mjs) so that the
// `peregrine` command starts without compiling TypeScript on the fly. Packages stay external.
import { build } from 'esbuild';

await build({
  entryPoints: ['main/cli/index.ts'],
  outfile: 'dist/engine/peregrine.mjs',
  bundle: true,
  platform: 'node',
  format: 'esm',
  target: 'node20',
  packages: 'external',
  sourcemap: true,
  logLevel: 'warning',
});
console.log('built dist/engine/peregrine.mjs');
