#!/usr/bin/env node
// Bundles the Electron main process and preload (CommonJS, as Electron loads them) into
// dist/electron. The renderer is built by Vite (`npm run build`); electron-builder packages both.
import { build } from 'esbuild';

const common = {
  bundle: true, platform: 'node', format: 'cjs', target: 'node20', sourcemap: true, logLevel: 'warning', packages: 'external',
  // import.meta.url has no CommonJS twin: give the bundle one.
  define: { 'import.meta.url': '__importMetaUrl' },
  banner: { js: "const __importMetaUrl = require('url').pathToFileURL(__filename).href;" },
};
await build({ ...common, entryPoints: ['electron/main.ts'], outfile: 'dist/electron/main.cjs' });
// The preload runs sandboxed: only `electron` may be required there, so bundle everything else in.
await build({ ...common, packages: undefined, external: ['electron'], entryPoints: ['electron/preload.ts'], outfile: 'dist/electron/preload.cjs' });
console.log('built dist/electron/main.cjs and preload.cjs');
