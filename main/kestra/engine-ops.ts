// The Kestra, archive and gallery operations against a running engine (what the contract's
// kestra.*, workspace.*, executions.export and gallery.* commands do). The CLI does the same on
// files and a store without an engine (main/cli).
import path from 'node:path';
import type { FlowError } from '../flow';
import type { Engine } from '../runtime/engine';
import { exportFlows, planImport, type ExportSelection, type ImportPlanItem } from './archive';
import { deployFlows, fetchFlows, pullTarget, type DeployItem, type DeployOptions, type DeployReport, type PullOptions, type PullResult } from './deploy';
import { storeSecrets } from './execution-export';
import { listGallery, type GallerySummary } from './gallery';
import { workspaceNamespaceFiles } from './namespace-files';
import { environmentSecrets, flowKeyOf, peekFlowIds, setNamespace, type FlowIds, type WorkspaceFlowFile } from './source';

export class OperationError extends Error {
  constructor(readonly code: 'NOT_FOUND' | 'INVALID' | 'CONFLICT', message: string) {
    super(message);
  }
}

/** The engine's flows as workspace files: runnable ones and those kept as problems (with a source). */
export function engineWorkspaceFiles(engine: Engine): WorkspaceFlowFile[] {
  const dir = engine.options.flowsDir;
  const rel = (file: string | undefined, ids: FlowIds | undefined, fallback: string) => {
    if (file && dir && !path.relative(dir, file).startsWith('..') && !path.isAbsolute(path.relative(dir, file))) {
      return path.relative(dir, file).split(path.sep).join('/');
    }
    return ids ? `${ids.namespace}/${ids.id}.yml` : fallback;
  };
  const out: WorkspaceFlowFile[] = [];
  const seen = new Set<string>();
  for (const f of engine.flows()) {
    const ids = { namespace: f.flow.namespace, id: f.flow.id };
    const relative = rel(f.file, ids, '');
    seen.add(relative);
    out.push({ file: f.file ?? relative, relative, source: f.source, ids });
  }
  for (const p of engine.problems.values()) {
    const ids = peekFlowIds(p.source);
    const relative = rel(p.file, ids, path.basename(p.file ?? 'flow.yml'));
    if (seen.has(relative)) continue;
    seen.add(relative);
    out.push({ file: p.file ?? relative, relative, source: p.source, ...(ids ? { ids } : {}) });
  }
  return out.sort((a, b) => a.relative.localeCompare(b.relative));
}

function localSecrets(engine: Engine) {
  return [...storeSecrets(engine.store), ...environmentSecrets()];
}

export interface DeployRequest extends Omit<DeployOptions, 'secrets'> {
  flows?: FlowIds[];
  sources?: string[];
  all?: boolean;
}

export async function deployFromEngine(engine: Engine, req: DeployRequest): Promise<DeployReport> {
  const files = engineWorkspaceFiles(engine);
  const items: DeployItem[] = [];
  if (req.all) items.push(...files.filter((f) => f.ids).map((f) => ({ label: f.relative, source: f.source })));
  for (const ref of req.flows ?? []) {
    const f = files.find((x) => x.ids && x.ids.namespace === ref.namespace && x.ids.id === ref.id);
    if (!f) throw new OperationError('NOT_FOUND', `flow ${flowKeyOf(ref)} not found in the workspace`);
    items.push({ label: f.relative, source: f.source });
  }
  (req.sources ?? []).forEach((source, i) => items.push({ label: `sources[${i}]`, source }));
  if (!items.length) throw new OperationError('INVALID', 'nothing to deploy: give flows, sources, or all: true');
  const { flows: _f, sources: _s, all: _a, ...options } = req;
  const namespaceFiles = options.namespaceFiles ?? workspaceNamespaceFiles(engine.options.flowsDir, items.map((i) => i.source), options.namespace);
  return deployFlows(items, { ...options, namespaceFiles, secrets: localSecrets(engine) });
}

export interface SaveOutcome { namespace?: string; id?: string; file?: string; ok: boolean; kept: boolean; errors: FlowError[] }

/** Pulls flows from a server into the engine's workspace, each saved through the engine (it loads at once). */
export async function pullIntoEngine(engine: Engine, req: Omit<PullOptions, 'flowsDir'>): Promise<PullResult[]> {
  const dir = engine.options.flowsDir;
  if (!dir) throw new OperationError('INVALID', 'the engine has no workspace folder to pull into');
  const files = engineWorkspaceFiles(engine);
  const existing = new Map(files.filter((f) => f.ids && path.isAbsolute(f.file)).map((f) => [flowKeyOf(f.ids!), f.file]));
  const results: PullResult[] = [];
  for (const remote of await fetchFlows(req)) {
    const r: PullResult = { namespace: remote.namespace, id: remote.id, action: 'failed' };
    results.push(r);
    if (remote.source === undefined) {
      r.error = remote.error;
      continue;
    }
    r.file = pullTarget(dir, existing, remote);
    const before = files.find((f) => f.file === r.file)?.source;
    r.action = before === undefined ? 'created' : before === remote.source ? 'unchanged' : 'updated';
    if (req.dryRun || r.action === 'unchanged') continue;
    const saved = await engine.saveFlow(remote.source, { file: r.file, keepUnsupported: true });
    if (!saved.ok && !saved.kept) {
      r.action = 'failed';
      r.error = `not valid here: ${saved.errors.filter((e) => e.severity === 'error').map((e) => `${e.line}:${e.column}: ${e.path ? `${e.path}: ` : ''}${e.message}`).join('; ')}`;
    }
  }
  return results;
}

export function exportFromEngine(engine: Engine, selection: ExportSelection) {
  try {
    return exportFlows(engineWorkspaceFiles(engine), selection);
  } catch (e) {
    throw new OperationError('NOT_FOUND', (e as Error).message);
  }
}

/** Imports an archive into the engine's workspace; every flow goes through engine.saveFlow. */
export async function importIntoEngine(engine: Engine, zip: Buffer, overwrite: boolean): Promise<ImportPlanItem[]> {
  const dir = engine.options.flowsDir;
  if (!dir) throw new OperationError('INVALID', 'the engine has no workspace folder to import into');
  let plan: ImportPlanItem[];
  try {
    plan = planImport(zip, { dir, files: engineWorkspaceFiles(engine).filter((f) => path.isAbsolute(f.file)) }, engine.registry, { overwrite });
  } catch (e) {
    throw new OperationError('INVALID', (e as Error).message);
  }
  for (const item of plan) {
    if ((item.action !== 'created' && item.action !== 'updated') || !item.source) continue;
    const saved = await engine.saveFlow(item.source, { file: item.file, keepUnsupported: true });
    if (!saved.ok && !saved.kept) {
      item.action = 'invalid';
      item.errors = saved.errors;
      item.messages.push(...saved.errors.filter((e) => e.severity === 'error').map((e) => e.message));
    }
  }
  // Sources stay in the archive the caller already has: the answer stays small.
  return plan.map(({ source: _source, ...rest }) => rest);
}

export function galleryList(dir?: string): GallerySummary[] {
  return listGallery(dir).map(({ file: _file, ...g }) => g);
}

/** Copies a gallery flow into the workspace (optionally into another namespace). */
export async function useGalleryFlow(
  engine: Engine,
  req: { name: string; namespace?: string; overwrite?: boolean },
  dir?: string,
): Promise<SaveOutcome> {
  const g = listGallery(dir).find((x) => x.name === req.name || `${x.namespace}.${x.id}` === req.name);
  if (!g) throw new OperationError('NOT_FOUND', `no gallery flow named ${req.name}`);
  let source = g.source;
  if (req.namespace) {
    try {
      source = setNamespace(source, req.namespace);
    } catch (e) {
      throw new OperationError('INVALID', (e as Error).message);
    }
  }
  const ids = peekFlowIds(source)!;
  const taken = engineWorkspaceFiles(engine).find((f) => f.ids && flowKeyOf(f.ids) === flowKeyOf(ids));
  if (taken && !req.overwrite && taken.source !== source) {
    throw new OperationError('CONFLICT', `the workspace already has ${flowKeyOf(ids)} (${taken.relative}): pass overwrite, or another namespace`);
  }
  const saved = await engine.saveFlow(source, { ...(taken && path.isAbsolute(taken.file) ? { file: taken.file } : {}), keepUnsupported: true });
  return { ...ids, ...(saved.file ? { file: saved.file } : {}), ok: saved.ok, kept: !!saved.kept, errors: saved.errors };
}
