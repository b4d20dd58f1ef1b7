// Namespace files on their way to Kestra: a folder read as uploads, and the workspace's
// <namespace>/_files/ folder sent along with the flows that use it (scripts' `namespaceFiles`).
import fs from 'node:fs';
import path from 'node:path';
import { parseDocument } from 'yaml';
import type { NamespaceFileUpload } from './deploy';
import { peekFlowIds } from './source';

/** Every file below `dir` as an upload: <dir>/<namespace>/<path>, or <dir>/<path> into `namespace`. */
export function readNamespaceFiles(dir: string, namespace?: string): NamespaceFileUpload[] {
  const out: NamespaceFileUpload[] = [];
  const walk = (d: string) => {
    for (const e of fs.readdirSync(d, { withFileTypes: true })) {
      if (e.name.startsWith('.')) continue;
      const p = path.join(d, e.name);
      if (e.isDirectory()) walk(p);
      else if (e.isFile()) {
        const rel = path.relative(dir, p).split(path.sep);
        const [ns, parts] = namespace ? [namespace, rel] : [rel[0], rel.slice(1)];
        if (!parts.length) continue;
        out.push({ namespace: ns, path: `/${parts.join('/')}`, content: fs.readFileSync(p) });
      }
    }
  };
  walk(dir);
  return out;
}

/** Whether a flow has a task with `namespaceFiles: { enabled: true }` (Kestra's switch for them). */
export function usesNamespaceFiles(source: string): boolean {
  let found = false;
  const visit = (v: unknown): void => {
    if (found || !v || typeof v !== 'object') return;
    if (Array.isArray(v)) return v.forEach(visit);
    const files = (v as Record<string, unknown>).namespaceFiles as { enabled?: unknown } | undefined;
    if (files && typeof files === 'object' && (files.enabled === true || files.enabled === 'true')) found = true;
    else Object.values(v).forEach(visit);
  };
  try {
    visit(parseDocument(source).toJS());
  } catch {
    return false;
  }
  return found;
}

/**
 * The workspace's namespace files that deployed flows use: <flowsDir>/<namespace>/_files/, once
 * per namespace, sent into the flow's target namespace (`namespace` when deploying elsewhere).
 */
export function workspaceNamespaceFiles(flowsDir: string | undefined, sources: string[], namespace?: string): NamespaceFileUpload[] {
  if (!flowsDir) return [];
  const out: NamespaceFileUpload[] = [];
  const done = new Set<string>();
  for (const source of sources) {
    const ids = peekFlowIds(source);
    if (!ids || done.has(ids.namespace) || !usesNamespaceFiles(source)) continue;
    done.add(ids.namespace);
    const dir = path.join(flowsDir, ids.namespace, '_files');
    if (fs.existsSync(dir)) out.push(...readNamespaceFiles(dir, namespace ?? ids.namespace));
  }
  return out;
}
