// Monaco, bundled locally: the editor API, its editing features and the YAML language, with
// monaco-yaml's worker for completion, hover and schema validation. Loaded lazily (it is big).
import * as monaco from 'monaco-editor/editor/editor.api.js';
import 'monaco-editor/features/register.all.js';
import 'monaco-editor/languages/definitions/yaml/register.js';
import EditorWorker from 'monaco-editor/editor/editor.worker.js?worker';
// The pre-0.55 `createWebWorker({ moduleId, label, createData })`, which monaco-yaml's worker
// manager still calls; monaco 0.57's `editor.createWebWorker` wants a Worker instead.
import { createWebWorker as createLegacyWebWorker } from 'monaco-editor/internal/common/workers.js';
import { configureMonacoYaml, type MonacoYaml } from 'monaco-yaml';
import YamlWorker from './yaml.worker.ts?worker';

(globalThis as unknown as { MonacoEnvironment: unknown }).MonacoEnvironment = {
  getWorker(_id: string, label: string): Worker {
    return label === 'yaml' ? new YamlWorker() : new EditorWorker();
  },
};

export const FLOW_MODEL_PREFIX = 'file:///flows/';
let yaml: MonacoYaml | undefined;

const monacoForYaml = {
  ...monaco,
  editor: { ...monaco.editor, createWebWorker: (opts: object) => createLegacyWebWorker({ ...opts, createWorker: () => new YamlWorker() }) },
};

/** Feeds the engine's flow JSON Schema to monaco-yaml (completion, hover, validation). */
export function setFlowSchema(schema: object | undefined): void {
  const options = {
    enableSchemaRequest: false,
    hover: true,
    completion: true,
    // Markers come from the engine's own validation (flows.validate), not from the schema.
    validate: false,
    // Formatting is ours (the yaml Document round trip that keeps comments).
    format: { enable: false },
    hoverSchemaSource: false,
    schemas: schema ? [{ fileMatch: [`${FLOW_MODEL_PREFIX}*`], uri: 'peregrine://schemas/flow.json', schema: schema as never }] : [],
  };
  if (yaml) yaml.update(options);
  else yaml = configureMonacoYaml(monacoForYaml as never, options);
}

export { monaco };
