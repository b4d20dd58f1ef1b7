// Keeps each runtime in its lane (DESIGN.md): main/ is pure Node, renderer/ is browser code.
import tseslint from 'typescript-eslint';

const nodeBuiltins = ['fs', 'path', 'child_process', 'net', 'os', 'http', 'https', 'crypto', 'worker_threads', 'stream'];

export default tseslint.config(
  { ignores: ['node_modules/**', 'dist/**', 'out/**', 'bench/results/**'] },
  ...tseslint.configs.recommended,
  {
    rules: {
      '@typescript-eslint/no-explicit-any': 'off',
      '@typescript-eslint/no-unused-vars': ['error', { argsIgnorePattern: '^_', varsIgnorePattern: '^_' }],
    },
  },
  {
    files: ['main/**/*.ts'],
    rules: {
      'no-restricted-imports': ['error', {
        paths: ['electron', 'react', 'react-dom'].map((name) => ({ name, message: 'main/ is pure Node: no electron, react or DOM.' })),
        patterns: [{ group: ['react-dom/*', '@xyflow/*', 'monaco-editor*'], message: 'main/ is pure Node.' }],
      }],
      'no-restricted-globals': ['error', 'window', 'document', 'navigator'],
    },
  },
  {
    files: ['renderer/**/*.{ts,tsx}'],
    rules: {
      'no-restricted-imports': ['error', {
        paths: [...nodeBuiltins, ...nodeBuiltins.map((m) => `node:${m}`), 'electron', 'better-sqlite3'].map((name) => ({
          name, message: 'renderer/ is browser code: talk to the engine through the contract bridge.',
        })),
      }],
    },
  },
);
