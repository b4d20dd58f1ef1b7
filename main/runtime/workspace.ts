// The workspace folder: flows as YAML files, loaded at start and reloaded when a file changes.
import fs from 'node:fs';
import path from 'node:path';
import { applyPluginDefaults, loadFlow, type FlowError } from '../flow';
import type { PluginRegistry } from '../plugins/registry';

export interface FlowFile {
  file: string;
  source: string;
}

export interface LoadOutcome {
  file?: string;
  source: string;
  flow?: ReturnType<typeof loadFlow>['flow'];
  errors: FlowError[];
}

const FLOW_FILE = /\.ya?ml$/i;
const NAMESPACE_FILES = '_files';

export function listFlowFiles(dir: string): string[] {
  if (!fs.existsSync(dir)) return [];
  const out: string[] = [];
  const walk = (d: string) => {
    for (const entry of fs.readdirSync(d, { withFileTypes: true })) {
      // Namespace files (`<namespace>/_files/`) are not flows, whatever their extension.
      if (entry.name.startsWith('.') || entry.name === 'node_modules' || entry.name === NAMESPACE_FILES) continue;
      const p = path.join(d, entry.name);
      if (entry.isDirectory()) walk(p);
      else if (FLOW_FILE.test(entry.name)) out.push(p);
    }
  };
  walk(dir);
  return out.sort();
}

export function parseFlowSource(source: string, registry: PluginRegistry, file?: string): LoadOutcome {
  const { flow, errors } = loadFlow(source, file, registry);
  // The engine runs the flow with its pluginDefaults applied, as Kestra does.
  return { file, source, flow: flow ? applyPluginDefaults(flow, registry) : undefined, errors };
}

/** Watches the workspace; calls back (debounced per file) with changed and removed files. */
export function watchWorkspace(dir: string, onChange: (file: string, removed: boolean) => void): () => void {
  const timers = new Map<string, NodeJS.Timeout>();
  let watcher: fs.FSWatcher;
  try {
    watcher = fs.watch(dir, { recursive: true }, (_event, name) => {
      if (!name || !FLOW_FILE.test(String(name)) || String(name).split(/[\\/]/).includes(NAMESPACE_FILES)) return;
      const file = path.join(dir, String(name));
      clearTimeout(timers.get(file));
      timers.set(
        file,
        setTimeout(() => {
          timers.delete(file);
          onChange(file, !fs.existsSync(file));
        }, 50),
      );
    });
  } catch {
    return () => {};
  }
  return () => {
    watcher.close();
    timers.forEach((t) => clearTimeout(t));
  };
}

/** A file name for a new flow in the workspace: <namespace>/<id>.yml. */
export function flowFileName(dir: string, namespace: string, id: string): string {
  return path.join(dir, namespace, `${id}.yml`);
}
