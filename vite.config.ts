// Builds the renderer (renderer/) into dist/renderer, which `peregrine server` serves at / and the
// Electron shell loads from app://. Monaco and its YAML worker are bundled locally (no CDN).
import path from 'node:path';
import react from '@vitejs/plugin-react';
import { defineConfig } from 'vite';

const root = path.resolve(import.meta.dirname, 'renderer');

export default defineConfig({
  root,
  // Relative asset URLs: the same build works at http://127.0.0.1:<port>/ and at app://peregrine/.
  base: './',
  plugins: [react()],
  resolve: {
    alias: [
      // monaco-yaml's worker (through monaco-worker-manager) imports monaco's old deep paths, which
      // monaco-editor 0.57's `exports` map no longer lists: point them at the files.
      { find: /^monaco-editor\/esm\/vs\/(.*)$/, replacement: path.resolve(import.meta.dirname, 'node_modules/monaco-editor/esm/vs/$1') },
    ],
  },
  worker: { format: 'es' },
  build: {
    outDir: path.resolve(import.meta.dirname, 'dist/renderer'),
    emptyOutDir: true,
    target: 'es2022',
    sourcemap: false,
    chunkSizeWarningLimit: 6000,
  },
  optimizeDeps: {
    include: ['monaco-yaml', 'yaml'],
  },
  server: { port: 5173, strictPort: false },
});
