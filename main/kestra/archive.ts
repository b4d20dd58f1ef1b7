// Export and import of flows as a ZIP of YAML files: one flow, a namespace (and the ones below it)
// or the whole workspace. Entries keep the files' paths relative to the workspace; an import reads
// each entry's id and namespace (whatever its name: Kestra's own exports are flat `ns.id.yml`)
// and writes it over the workspace's file for that flow, or to <namespace>/<id>.yml.
import path from 'node:path';
import { formatError, loadFlow, onlyUnsupportedPlugins, type FlowError } from '../flow';
import type { PluginRegistry } from '../plugins/registry';
import { flowKeyOf, inNamespace, peekFlowIds, type FlowIds, type WorkspaceFlowFile } from './source';
import { readZip, safeEntryName, writeZip, type ZipReadOptions } from './zip';

export interface ExportSelection {
  /** Only flows of this namespace and the ones below it. */
  namespace?: string;
  /** Only this flow. */
  flow?: FlowIds;
}

export interface ExportedArchive {
  zip: Buffer;
  /** The entry names, in order. */
  entries: string[];
}

/** A ZIP of the selected workspace files (their sources byte for byte). Throws when nothing matches. */
export function exportFlows(files: WorkspaceFlowFile[], selection: ExportSelection = {}): ExportedArchive {
  const filtered = !!(selection.namespace || selection.flow);
  const chosen = files.filter((f) => {
    if (!filtered) return true;
    if (!f.ids) return false;
    if (selection.flow && (f.ids.namespace !== selection.flow.namespace || f.ids.id !== selection.flow.id)) return false;
    return !selection.namespace || inNamespace(f.ids.namespace, selection.namespace);
  });
  if (!chosen.length) {
    const what = selection.flow ? `flow ${flowKeyOf(selection.flow)}` : selection.namespace ? `flows in namespace ${selection.namespace}` : 'flows';
    throw new Error(`no ${what} in the workspace`);
  }
  const entries = chosen.map((f) => ({ name: f.relative, data: f.source }));
  return { zip: writeZip(entries), entries: entries.map((e) => e.name) };
}

export type ImportAction = 'created' | 'updated' | 'unchanged' | 'conflict' | 'invalid' | 'skipped';

export interface ImportPlanItem {
  entry: string;
  action: ImportAction;
  namespace?: string;
  id?: string;
  /** Where the flow goes (absolute). */
  file?: string;
  source?: string;
  /** "not supported locally": valid Kestra YAML that is kept but cannot run here. */
  unsupported?: boolean;
  /** Why it was skipped, or its errors (file:line:col: message). */
  messages: string[];
  errors?: FlowError[];
}

export interface ImportOptions extends ZipReadOptions {
  /** Replace a workspace flow whose source differs (default: report a conflict). */
  overwrite?: boolean;
}

/**
 * What importing an archive into a workspace would do, entry by entry. Entries that are not
 * flows, or that are invalid for another reason than Kestra plugins Peregrine does not run, are
 * not imported (as Kestra's own import skips invalid files).
 */
export function planImport(
  zip: Uint8Array,
  workspace: { dir: string; files: WorkspaceFlowFile[] },
  registry: PluginRegistry,
  options: ImportOptions = {},
): ImportPlanItem[] {
  const existing = new Map<string, WorkspaceFlowFile>();
  for (const f of workspace.files) if (f.ids) existing.set(flowKeyOf(f.ids), f);
  const plan: ImportPlanItem[] = [];
  const inArchive = new Map<string, string>();
  for (const entry of readZip(zip, options)) {
    if (entry.isDirectory) continue;
    const item: ImportPlanItem = { entry: entry.name, action: 'skipped', messages: [] };
    plan.push(item);
    if (!safeEntryName(entry.name)) {
      item.messages.push('unsafe entry name (absolute, or climbing out with ..)');
      continue;
    }
    if (!/\.ya?ml$/i.test(entry.name)) {
      item.messages.push('not a YAML file');
      continue;
    }
    const source = entry.data.toString('utf8');
    const ids = peekFlowIds(source);
    if (!ids) {
      item.messages.push('not a flow: no string id and namespace');
      continue;
    }
    Object.assign(item, ids, { source });
    const key = flowKeyOf(ids);
    if (inArchive.has(key)) {
      item.messages.push(`${key} is also in ${inArchive.get(key)}`);
      continue;
    }
    inArchive.set(key, entry.name);
    const { errors } = loadFlow(source, entry.name, registry);
    const hard = errors.filter((e) => e.severity === 'error');
    if (hard.length && !onlyUnsupportedPlugins(errors)) {
      item.action = 'invalid';
      item.errors = errors;
      item.messages.push(...hard.map((e) => formatError(e)));
      continue;
    }
    item.unsupported = hard.length > 0;
    const mine = existing.get(key);
    item.file = mine?.file ?? path.join(workspace.dir, ids.namespace, `${ids.id}.yml`);
    if (!mine) item.action = 'created';
    else if (mine.source === source) item.action = 'unchanged';
    else if (options.overwrite) item.action = 'updated';
    else {
      item.action = 'conflict';
      item.messages.push(`${path.relative(workspace.dir, mine.file)} already holds ${key} with another source (import with overwrite to replace it)`);
    }
  }
  return plan;
}

/** `entry: action` lines and a summary, as the CLI prints them. */
export function formatImportPlan(plan: ImportPlanItem[]): string[] {
  const lines: string[] = [];
  for (const p of plan) {
    const what = p.namespace ? ` ${p.namespace}.${p.id}` : '';
    if (p.action === 'invalid' || p.action === 'skipped' || p.action === 'conflict') {
      lines.push(`${p.entry}: ${p.action}${what}${p.messages.length === 1 ? `: ${p.messages[0]}` : ''}`);
      if (p.messages.length > 1) for (const m of p.messages) lines.push(`  ${m}`);
    } else lines.push(`${p.entry}: ${p.action}${what}${p.unsupported ? ' (uses Kestra plugins not supported locally: kept, not run)' : ''}`);
  }
  const count = (a: ImportAction) => plan.filter((p) => p.action === a).length;
  lines.push(`${plan.length} entr${plan.length === 1 ? 'y' : 'ies'}: ${count('created')} created, ${count('updated')} updated, ${count('unchanged')} unchanged, ${count('conflict')} conflict(s), ${count('invalid')} invalid, ${count('skipped')} skipped`);
  return lines;
}

/** Whether an import plan failed anywhere (something the user asked for was not imported). */
export const importFailed = (plan: ImportPlanItem[]): boolean => plan.some((p) => p.action === 'invalid' || p.action === 'conflict');
