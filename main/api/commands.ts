// The contract's commands, implemented against the engine. Inputs are validated here, at the
// boundary, and every outcome (including failures) comes back as data.
import { z } from 'zod';
import { parseDocument } from 'yaml';
import { flowJsonSchema, flowToGraph, loadFlow, applyPluginDefaults, onlyUnsupportedPlugins } from '../flow';
import {
  deployFromEngine, exportExecution, exportFromEngine, galleryList, importIntoEngine, OperationError, peekFlowIds, pullIntoEngine, useGalleryFlow,
} from '../kestra';
import type { LoadedFlow } from '../model/flow';
import type { Engine } from '../runtime/engine';
import fs from 'node:fs';
import path from 'node:path';
import type { FlowError } from '../flow/errors';
import { defaultGalleryDir, describeGalleryFlow, type GalleryFlow } from '../kestra/gallery';
import { executionFromRow, WITH_TRIGGER } from '../store';
import { commands, type ApiError, type CommandInput, type CommandName, type CommandOutput, type ExecutionStats, type ExecutionTiming, type FlowSummary, type StorageFile, type PluginSummary, type Result } from './contract';

type Handlers = { [N in CommandName]: (input: z.output<(typeof commands)[N]['input']>) => Promise<CommandOutput<N>> | CommandOutput<N> };

export class CommandError extends Error {
  constructor(readonly code: ApiError['code'], message: string, readonly details?: unknown) {
    super(message);
  }
}

const notFound = (what: string) => new CommandError('NOT_FOUND', `${what} not found`);

/** The contract's flat server fields as the Kestra client's options (a token wins over Basic auth). */
function kestraConnection(c: { server: string; user?: string; password?: string; token?: string; tenant?: string }) {
  const auth = c.token ? { token: c.token } : c.user !== undefined ? { user: c.user, password: c.password ?? '' } : undefined;
  return { server: c.server, ...(c.tenant ? { tenant: c.tenant } : {}), ...(auth ? { auth } : {}) };
}

/** Runs a main/kestra operation, turning its OperationError into the contract's CommandError. */
async function kestraOp<T>(fn: () => T | Promise<T>): Promise<T> {
  try {
    return await fn();
  } catch (e) {
    if (e instanceof OperationError) throw new CommandError(e.code, e.message);
    throw e;
  }
}

export function summarize(f: LoadedFlow): FlowSummary {
  return {
    namespace: f.flow.namespace,
    id: f.flow.id,
    revision: f.revision,
    ...(f.flow.description ? { description: f.flow.description } : {}),
    ...(f.file ? { file: f.file } : {}),
    disabled: !!f.flow.disabled,
    triggers: (f.flow.triggers ?? []).map((t) => ({ id: t.id, type: t.type, disabled: !!t.disabled })),
    taskCount: f.flow.tasks.length,
  };
}

export function createCommands(engine: Engine, settings: () => CommandOutput<'settings.get'>) {
  let pluginCache: PluginSummary[] | undefined;
  let schemaCache: object | undefined;
  const flowOf = (namespace: string, id: string) => engine.flow(namespace, id) ?? (() => { throw notFound(`flow ${namespace}.${id}`); })();

  const handlers: Handlers = {
    'flows.list': () => ({
      flows: engine.flows().map(summarize).sort((a, b) => `${a.namespace}.${a.id}`.localeCompare(`${b.namespace}.${b.id}`)),
      problems: [...engine.problems.values()].map((p) => ({
        file: p.file ?? '', errors: p.errors, source: p.source, ...peekFlowIds(p.source), notSupportedLocally: onlyUnsupportedPlugins(p.errors),
      })),
    }),
    'flows.get': ({ namespace, id }) => {
      const f = flowOf(namespace, id);
      return { ...summarize(f), source: f.source };
    },
    'flows.save': async ({ source, file }) => {
      const r = await engine.saveFlow(source, { file });
      const kept = r.kept && r.file ? peekFlowIds(source) : undefined;
      return { ok: r.ok, errors: r.errors, ...(r.loaded ? { flow: summarize(r.loaded) } : {}), ...(kept ? { kept: { ...kept, file: r.file! } } : {}) };
    },
    'flows.delete': async ({ namespace, id }) => ({ deleted: await engine.deleteFlow(namespace, id) }),
    'flows.validate': ({ source }) => ({ errors: engine.validate(source) }),
    'flows.graph': ({ source }) => {
      const { flow, errors } = loadFlow(source, undefined, engine.registry);
      return { ...(flow ? { graph: flowToGraph(applyPluginDefaults(flow, engine.registry), engine.registry) } : {}), errors };
    },
    'flows.setEnabled': async ({ namespace, id, enabled }) => {
      const f = flowOf(namespace, id);
      // Edit the YAML text itself (comments and layout kept): the file stays the source of truth.
      const doc = parseDocument(f.source);
      if (enabled) doc.delete('disabled');
      else doc.set('disabled', true);
      const r = await engine.saveFlow(doc.toString());
      return { ok: r.ok, errors: r.errors, ...(r.loaded ? { flow: summarize(r.loaded) } : {}) };
    },
    'flows.revisions': ({ namespace, id }) =>
      engine.store.flowRevisions(namespace, id).map(({ revision, createdAt, deleted }) => ({ revision, createdAt, deleted })),

    'executions.search': async (q) => {
      await engine.store.writer.flush(); // read what has been written, not an older state
      return engine.store.searchExecutions(q);
    },
    'executions.get': async ({ id }) => engine.executor.live(id) ?? (await engine.readExecution(id)) ?? (() => { throw notFound(`execution ${id}`); })(),
    'executions.create': ({ namespace, flowId, inputs, labels }) => engine.createExecution(namespace, flowId, inputs, labels),
    'executions.kill': ({ ids }) => ({ killed: ids.filter((id) => engine.kill(id)) }),
    'executions.resume': ({ id, inputs }) => ({ resumed: engine.resume(id, inputs) }),
    'executions.delete': ({ ids }) => ({ deleted: ids.filter((id) => !engine.executor.isRunning(id) && engine.store.deleteExecution(id)) }),
    'executions.replay': ({ id }) => engine.replay(id),

    'logs.query': (q) => engine.store.logs(q),

    'triggers.health': () => engine.supervisor.health(),
    'triggers.restart': async ({ namespace, flowId, triggerId }) => {
      const inst = engine.supervisor.get(namespace, flowId, triggerId) ?? (() => { throw notFound(`trigger ${namespace}.${flowId}.${triggerId}`); })();
      await inst.restart();
      return inst.health();
    },
    'triggers.testEvent': async ({ namespace, flowId, triggerId, count, ratePerSecond, ...message }) => {
      const sent = await engine.sendTestEvents({ namespace, flowId, triggerId }, message, count, ratePerSecond);
      return { sent };
    },

    'secrets.list': () => engine.store.secrets.list(),
    'secrets.set': ({ namespace, name, value }) => {
      engine.store.secrets.set(namespace, name, value);
      return { saved: true as const };
    },
    'secrets.delete': ({ namespace, name }) => ({ deleted: engine.store.secrets.delete(namespace, name) }),

    'settings.get': () => settings(),

    'plugins.list': () => (pluginCache ??= engine.registry.all().map((d) => ({
      type: d.type,
      aliases: d.aliases ?? [],
      kind: d.kind,
      ...(d.kind === 'trigger' ? { mode: d.mode } : {}),
      title: d.title,
      description: d.description,
      category: d.category,
      ...(d.icon ? { icon: d.icon } : {}),
      outputs: d.outputs ?? {},
      examples: d.examples ?? [],
      schema: z.toJSONSchema(d.props, { io: 'input', unrepresentable: 'any' }),
      canPublishTestEvents: d.kind === 'trigger' && (!!d.publish || d.mode === 'webhook'),
    }))),
    'plugins.flowSchema': () => (schemaCache ??= flowJsonSchema(engine.registry)),

    // ── Kestra interoperability, archives and the gallery (main/kestra) ──
    'kestra.deploy': ({ server, user, password, token, tenant, ...req }) =>
      kestraOp(() => deployFromEngine(engine, { ...kestraConnection({ server, user, password, token, tenant }), ...req })),
    'kestra.pull': async ({ server, user, password, token, tenant, ...req }) => ({
      results: await kestraOp(() => pullIntoEngine(engine, { ...kestraConnection({ server, user, password, token, tenant }), ...req })),
    }),
    'workspace.export': ({ namespace, flow }) =>
      kestraOp(() => {
        const { zip, entries } = exportFromEngine(engine, { namespace, flow });
        const fileName = `${flow ? `${flow.namespace}.${flow.id}` : namespace ?? 'workspace'}.zip`;
        return { zipBase64: zip.toString('base64'), fileName, entries };
      }),
    'workspace.import': async ({ zipBase64, overwrite }) => ({
      results: await kestraOp(() => importIntoEngine(engine, Buffer.from(zipBase64, 'base64'), overwrite)),
    }),
    'executions.export': async ({ id }) => {
      await engine.store.writer.flush();
      return exportExecution(engine.store, id) ?? (() => { throw notFound(`execution ${id}`); })();
    },
    'gallery.list': () => galleryList(),
    'gallery.use': (req) => kestraOp(() => useGalleryFlow(engine, req)),

    // ── the inspector, executions and overview (issue 8) ──
    'executions.stats': (q) => executionStats(engine, q),
    'executions.timings': (q) => executionTimings(engine, q),
    'storage.read': ({ uri, maxBytes }) => readStorageFile(engine, uri, maxBytes),
    'flows.revision': ({ namespace, id, revision }) => {
      const r = engine.store.flowRevision(namespace, id, revision) ?? (() => { throw notFound(`revision ${revision} of flow ${namespace}.${id}`); })();
      return { namespace, id, revision: r.revision, source: r.source, createdAt: r.createdAt };
    },
    'gettingStarted.status': () => ({
      empty: engine.flows().length === 0 && engine.problems.size === 0,
      ...(process.env.ENV_PEREGRINE_MQTT_URL ? { mqttUrl: process.env.ENV_PEREGRINE_MQTT_URL } : {}),
      flows: gettingStartedFlows().map(({ name, namespace, id, title, description }) => ({ name, namespace, id, title, description, inWorkspace: !!engine.flow(namespace, id) })),
    }),
    'gettingStarted.add': async () => {
      const added: { namespace: string; id: string }[] = [];
      const errors: FlowError[] = [];
      for (const g of gettingStartedFlows()) {
        if (engine.flow(g.namespace, g.id)) continue;
        const r = await engine.saveFlow(g.source);
        if (r.ok) added.push({ namespace: g.namespace, id: g.id });
        else errors.push(...r.errors);
      }
      return { added, errors };
    },
  };

  return async function call<N extends CommandName>(name: N, input: CommandInput<N>): Promise<Result<CommandOutput<N>>> {
    const spec = commands[name];
    if (!spec) return { ok: false, error: { code: 'INVALID', message: `unknown command ${String(name)}` } };
    const parsed = spec.input.safeParse(input ?? {});
    if (!parsed.success) {
      const i = parsed.error.issues[0];
      return { ok: false, error: { code: 'INVALID', message: `${String(name)}: ${i.path.join('.') || 'input'}: ${i.message}` } };
    }
    try {
      const value = await (handlers[name] as (i: unknown) => unknown)(parsed.data);
      return { ok: true, value: value as CommandOutput<N> };
    } catch (e) {
      return { ok: false, error: toApiError(e) };
    }
  };
}

export function toApiError(e: unknown): ApiError {
  if (e instanceof CommandError) return { code: e.code, message: e.message, ...(e.details ? { details: e.details } : {}) };
  const status = (e as { status?: number })?.status;
  const message = e instanceof Error ? e.message : String(e);
  if (status === 404) return { code: 'NOT_FOUND', message };
  if (status === 400) return { code: 'INVALID', message };
  return { code: 'INTERNAL', message };
}

// ── the inspector, executions and overview (issue 8) ─────────────────────────

const TERMINAL_STATES = ['SUCCESS', 'WARNING', 'FAILED', 'KILLED', 'CANCELLED', 'RETRIED', 'SKIPPED'];

function nsClause(namespace: string | undefined, flowId: string | undefined, where: string[], args: unknown[]): void {
  if (namespace) { where.push('(namespace = ? OR namespace LIKE ?)'); args.push(namespace, `${namespace}.%`); }
  if (flowId) { where.push('flow_id = ?'); args.push(flowId); }
}

export function executionStats(
  engine: Engine,
  q: { from?: number; to?: number; bucketMs: number; namespace?: string; flowId?: string; slowest: number; failures: number },
): ExecutionStats {
  const db = engine.store.db;
  const bucketMs = q.bucketMs;
  const to = q.to ?? Date.now();
  // At most 1,440 buckets: a wider window starts later.
  const from = Math.max(q.from ?? to - 3_600_000, to - bucketMs * 1440);
  const first = Math.floor(from / bucketMs);
  const last = Math.floor(to / bucketMs);
  const where = ['created_at >= ?', 'created_at <= ?'];
  const args: unknown[] = [from, to];
  nsClause(q.namespace, q.flowId, where, args);
  const clause = where.join(' AND ');
  const rows = db.prepare(`SELECT created_at / ? AS b, state, count(*) AS n FROM executions WHERE ${clause} GROUP BY b, state`).all(bucketMs, ...args) as { b: number; state: string; n: number }[];
  const buckets: ExecutionStats['buckets'] = [];
  for (let b = first; b <= last; b++) buckets.push({ t: b * bucketMs, counts: {} });
  const totals: Record<string, number> = {};
  for (const r of rows) {
    const bucket = buckets[Math.floor(r.b) - first];
    if (!bucket) continue;
    (bucket.counts as Record<string, number>)[r.state] = ((bucket.counts as Record<string, number>)[r.state] ?? 0) + r.n;
    totals[r.state] = (totals[r.state] ?? 0) + r.n;
  }

  const slowest: ExecutionStats['slowest'] = [];
  if (q.slowest > 0) {
    const top = db
      .prepare(`SELECT namespace, flow_id AS flowId, count(*) AS n, avg(ended_at - created_at) AS avgMs, max(ended_at - created_at) AS maxMs
        FROM executions WHERE ${clause} AND ended_at IS NOT NULL GROUP BY namespace, flow_id ORDER BY avgMs DESC LIMIT ?`)
      .all(...args, q.slowest) as { namespace: string; flowId: string; n: number; avgMs: number; maxMs: number }[];
    const p95 = db.prepare(`SELECT ended_at - created_at FROM executions
      WHERE namespace = ? AND flow_id = ? AND created_at >= ? AND created_at <= ? AND ended_at IS NOT NULL
      ORDER BY ended_at - created_at LIMIT 1 OFFSET ?`).pluck();
    for (const t of top) {
      const p = p95.get(t.namespace, t.flowId, from, to, Math.max(0, Math.ceil(0.95 * t.n) - 1)) as number | undefined; // nearest rank
      slowest.push({ namespace: t.namespace, flowId: t.flowId, count: t.n, avgMs: Math.round(t.avgMs), p95Ms: p ?? Math.round(t.maxMs), maxMs: t.maxMs });
    }
  }

  const failures: ExecutionStats['failures'] = [];
  if (q.failures > 0) {
    const fw: string[] = ["state IN ('FAILED', 'KILLED')"];
    const fa: unknown[] = [];
    nsClause(q.namespace, q.flowId, fw, fa);
    const ids = db.prepare(`SELECT id FROM executions WHERE ${fw.join(' AND ')} ORDER BY created_at DESC LIMIT ?`).pluck().all(...fa, q.failures) as string[];
    const lastError = db.prepare("SELECT message FROM logs WHERE execution_id = ? AND level = 'ERROR' ORDER BY id DESC LIMIT 1").pluck();
    for (const id of ids) {
      const e = engine.store.getExecution(id);
      if (!e) continue;
      const failed = [...e.taskRunList].reverse().find((t) => t.state.current === 'FAILED' || t.state.current === 'KILLED');
      const error = e.error ?? (lastError.get(id) as string | undefined) ?? (failed ? `task ${failed.taskId} ${failed.state.current.toLowerCase()}` : `execution ${e.state.current.toLowerCase()}`);
      failures.push({
        id, namespace: e.namespace, flowId: e.flowId, state: e.state.current, startDate: e.state.startDate,
        ...(e.state.endDate ? { endDate: e.state.endDate } : {}), error, ...(failed ? { taskId: failed.taskId } : {}),
      });
    }
  }
  return { from, to, bucketMs, buckets, totals, slowest, failures };
}

/** The source's own time of an event, when its `trigger.*` variables carry one (Kafka, Pub/Sub, SQS …). */
export function eventTimeOf(variables: Record<string, unknown> | undefined, createdAt: number): number | undefined {
  if (!variables) return undefined;
  const attrs = variables.attributes as Record<string, unknown> | undefined;
  for (const v of [variables.timestamp, variables.publishTime, variables.eventTime, variables.sentTimestamp, attrs?.SentTimestamp]) {
    let t: number | undefined;
    if (typeof v === 'number') t = v;
    else if (typeof v === 'string') t = /^\d+$/.test(v) ? Number(v) : Date.parse(v);
    if (t === undefined || !Number.isFinite(t)) continue;
    if (t < 1e11) t *= 1000; // seconds
    // Only a time that can be this event's: not after it was admitted, not a day before.
    if (t <= createdAt + 1000 && t >= createdAt - 86_400_000) return t;
  }
  return undefined;
}

export function executionTimings(engine: Engine, q: { namespace: string; flowId: string; triggerId?: string; from?: number; limit: number }): ExecutionTiming[] {
  const where = ['e.namespace = ?', 'e.flow_id = ?'];
  const args: unknown[] = [q.namespace, q.flowId];
  if (q.triggerId) { where.push('e.trigger_id = ?'); args.push(q.triggerId); }
  if (q.from !== undefined) { where.push('e.created_at >= ?'); args.push(q.from); }
  const rows = engine.store.db
    .prepare(`SELECT e.id, e.state, e.trigger_id AS triggerId, e.created_at AS createdAt, e.ended_at AS endedAt, e.doc, t.trigger FROM executions e ${WITH_TRIGGER} WHERE ${where.join(' AND ')} ORDER BY e.created_at DESC LIMIT ?`)
    .all(...args, q.limit) as { id: string; state: string; triggerId: string | null; createdAt: number; endedAt: number | null; doc: string; trigger: string | null }[];
  return rows.map((r) => {
    const e = executionFromRow(r);
    const running = e.state.histories?.find((h) => h.state === 'RUNNING');
    const eventAt = eventTimeOf(e.trigger?.variables, r.createdAt);
    const endedAt = r.endedAt ?? (TERMINAL_STATES.includes(r.state) && e.state.endDate ? Date.parse(e.state.endDate) : undefined);
    const replayOf = e.labels?.find((l) => l.key === 'replayOf')?.value;
    return {
      id: r.id, state: r.state, createdAt: r.createdAt,
      ...(r.triggerId ? { triggerId: r.triggerId } : {}),
      ...(running ? { startedAt: Date.parse(running.date) } : {}),
      ...(endedAt ? { endedAt } : {}),
      ...(eventAt !== undefined ? { eventAt } : {}),
      ...(replayOf ? { replayOf } : {}),
    };
  });
}

const CONTENT_TYPES: Record<string, string> = {
  json: 'application/json', jsonl: 'application/x-ndjson', ion: 'application/ion', csv: 'text/csv', tsv: 'text/tab-separated-values',
  txt: 'text/plain', log: 'text/plain', xml: 'application/xml', yaml: 'application/yaml', yml: 'application/yaml', html: 'text/html',
  md: 'text/markdown', png: 'image/png', jpg: 'image/jpeg', jpeg: 'image/jpeg', gif: 'image/gif', svg: 'image/svg+xml', pdf: 'application/pdf',
  parquet: 'application/vnd.apache.parquet', avro: 'application/avro', zip: 'application/zip', gz: 'application/gzip',
};

/** Reads an internal-storage file: only inside the storage folder (no `..`, no symlink out), at most maxBytes. */
export function readStorageFile(engine: Engine, uri: string, maxBytes: number): StorageFile {
  let file: string;
  try {
    file = engine.store.storage.resolve(uri);
  } catch (e) {
    throw new CommandError('INVALID', (e as Error).message);
  }
  if (!fs.existsSync(file)) throw notFound(`file ${uri}`);
  const root = fs.realpathSync(path.resolve(engine.store.dataDir, 'storage'));
  const real = fs.realpathSync(file);
  if (!real.startsWith(root + path.sep)) throw new CommandError('INVALID', `refused internal storage path outside the data folder: ${uri}`);
  const stat = fs.statSync(real);
  if (!stat.isFile()) throw new CommandError('INVALID', `not a file: ${uri}`);
  const length = Math.min(stat.size, maxBytes);
  const buf = Buffer.alloc(length);
  const fd = fs.openSync(real, 'r');
  try {
    let off = 0;
    while (off < length) {
      const n = fs.readSync(fd, buf, off, length - off, off);
      if (n <= 0) break;
      off += n;
    }
  } finally {
    fs.closeSync(fd);
  }
  const name = path.basename(real);
  const ext = name.includes('.') ? name.slice(name.lastIndexOf('.') + 1).toLowerCase() : '';
  let text: string | undefined;
  try {
    // A cut may split the last character: decode what is whole.
    text = new TextDecoder('utf-8', { fatal: true }).decode(length < stat.size ? trimPartialUtf8(buf) : buf);
  } catch {
    text = undefined;
  }
  const contentType = CONTENT_TYPES[ext] ?? (text !== undefined ? 'text/plain' : 'application/octet-stream');
  const binary = /^(image|application\/(pdf|zip|gzip|avro|vnd))/.test(contentType);
  return {
    uri, name, size: stat.size, truncated: length < stat.size, contentType,
    ...(text !== undefined && !binary ? { encoding: 'utf8' as const, data: text } : { encoding: 'base64' as const, data: buf.toString('base64') }),
  };
}

function trimPartialUtf8(buf: Buffer): Buffer {
  // Drop a trailing incomplete multi-byte sequence (at most 3 bytes).
  for (let i = 1; i <= Math.min(3, buf.length); i++) {
    const b = buf[buf.length - i];
    if ((b & 0xc0) === 0x80) continue; // continuation byte
    if ((b & 0x80) === 0) return buf; // ASCII: complete
    const need = (b & 0xe0) === 0xc0 ? 2 : (b & 0xf0) === 0xe0 ? 3 : 4;
    return need > i ? buf.subarray(0, buf.length - i) : buf;
  }
  return buf;
}

/** assets/flows/getting-started: a real-time trigger on the embedded MQTT broker, and its feeder. */
function gettingStartedFlows(): GalleryFlow[] {
  const dir = path.join(defaultGalleryDir(), 'getting-started');
  if (!fs.existsSync(dir)) return [];
  return fs.readdirSync(dir).filter((f) => /\.ya?ml$/i.test(f)).sort()
    .map((f) => describeGalleryFlow(path.join(dir, f), fs.readFileSync(path.join(dir, f), 'utf8')))
    .filter((g): g is GalleryFlow => !!g);
}
