// Flow sources as text: read their id and namespace, rewrite the namespace in place (comments and
// layout kept, byte for byte elsewhere), find a workspace's flows, and guard against sending the
// value of a local secret.
import fs from 'node:fs';
import path from 'node:path';
import { isMap, isScalar, parseDocument } from 'yaml';
import { NAMESPACE } from '../flow';
import { listFlowFiles } from '../runtime/workspace';

export interface FlowIds { id: string; namespace: string }

/** The flow's `id` and `namespace` (first YAML document), when both are strings. */
export function peekFlowIds(source: string): FlowIds | undefined {
  try {
    const doc = parseDocument(source, { uniqueKeys: false });
    if (doc.errors.length) return undefined;
    const js = doc.toJS() as { id?: unknown; namespace?: unknown } | null;
    return js && typeof js.id === 'string' && typeof js.namespace === 'string' ? { id: js.id, namespace: js.namespace } : undefined;
  } catch {
    return undefined;
  }
}

/**
 * The source with its top-level `namespace:` set to `namespace`. Only the value's characters
 * change (comments, quoting of everything else and layout are kept); a flow without the key
 * gets `namespace: …` after its `id:` line (or first).
 */
export function setNamespace(source: string, namespace: string): string {
  if (!NAMESPACE.test(namespace)) throw new Error(`"${namespace}" is not a namespace (lowercase letters, digits, ".", "_" and "-")`);
  const doc = parseDocument(source);
  if (doc.errors.length) throw new Error(`the YAML does not parse: ${doc.errors[0].message}`);
  const root = doc.contents;
  if (!isMap(root)) throw new Error('a flow is a YAML mapping');
  const pair = root.items.find((p) => isScalar(p.key) && p.key.value === 'namespace');
  if (pair && isScalar(pair.value) && pair.value.range) {
    const [start, end] = pair.value.range;
    return source.slice(0, start) + namespace + source.slice(end);
  }
  if (pair) throw new Error('namespace is not a plain value');
  const idPair = root.items.find((p) => isScalar(p.key) && p.key.value === 'id');
  const idEnd = isScalar(idPair?.value) && idPair.value.range ? idPair.value.range[1] : undefined;
  if (idEnd !== undefined) {
    const lineEnd = source.indexOf('\n', idEnd);
    const at = lineEnd < 0 ? source.length : lineEnd + 1;
    return `${source.slice(0, at)}${lineEnd < 0 ? '\n' : ''}namespace: ${namespace}\n${source.slice(at)}`;
  }
  return `namespace: ${namespace}\n${source}`;
}

export interface WorkspaceFlowFile {
  /** Absolute path. */
  file: string;
  /** Path relative to the workspace folder, with "/". */
  relative: string;
  source: string;
  ids?: FlowIds;
}

/** Every YAML file of a workspace folder, with its ids when it has them. */
export function workspaceFlows(dir: string): WorkspaceFlowFile[] {
  return listFlowFiles(dir).map((file) => {
    const source = fs.readFileSync(file, 'utf8');
    return { file, relative: path.relative(dir, file).split(path.sep).join('/'), source, ids: peekFlowIds(source) };
  });
}

export const flowKeyOf = (ids: FlowIds): string => `${ids.namespace}.${ids.id}`;

/** Namespace filter as Kestra's: the namespace itself and its children (company → company.team). */
export function inNamespace(namespace: string, filter: string): boolean {
  return namespace === filter || namespace.startsWith(`${filter}.`);
}

export interface LocalSecret { namespace: string; name: string; value: string }

/** Secret values shorter than this are not looked for (too many false alarms: "1", "yes"). */
export const MIN_GUARDED_SECRET_LENGTH = 4;

/**
 * The first local secret whose value appears in `text`, if any. Flows keep `{{ secret('NAME') }}`
 * references; a value pasted into the YAML must never leave the machine.
 */
export function leakedSecret(text: string, secrets: readonly LocalSecret[]): LocalSecret | undefined {
  return secrets.find((s) => s.value.length >= MIN_GUARDED_SECRET_LENGTH && text.includes(s.value));
}

/** Secrets of the environment, Kestra's way: SECRET_<NAME>=base64(value). */
export function environmentSecrets(env: NodeJS.ProcessEnv = process.env): LocalSecret[] {
  return Object.entries(env)
    .filter(([k, v]) => k.startsWith('SECRET_') && v)
    .map(([k, v]) => ({ namespace: '', name: k.slice('SECRET_'.length), value: Buffer.from(v!, 'base64').toString('utf8') }));
}

/** Replaces every secret value found in a string (deeply, in any JSON value) by "******". */
export function maskSecrets<T>(value: T, secrets: readonly LocalSecret[]): T {
  const values = [...new Set(secrets.map((s) => s.value).filter((v) => v.length >= MIN_GUARDED_SECRET_LENGTH))].sort((a, b) => b.length - a.length);
  if (!values.length) return value;
  const walk = (v: unknown): unknown => {
    if (typeof v === 'string') return values.reduce((s, secret) => s.split(secret).join('******'), v);
    if (Array.isArray(v)) return v.map(walk);
    if (v && typeof v === 'object') return Object.fromEntries(Object.entries(v).map(([k, x]) => [k, walk(x)]));
    return v;
  };
  return walk(value) as T;
}
