// Modules without their own type declarations.
declare module 'monaco-editor/internal/common/workers.js' {
  export function createWebWorker(opts: object): unknown;
}
declare module 'monaco-editor/features/register.all.js';
declare module 'monaco-editor/languages/definitions/yaml/register.js';
declare module 'monaco-yaml/yaml.worker.js';
