// Kestra-compatible REST paths (DESIGN.md, "Web mode"): webhooks, executions, logs, flows.
import crypto from 'node:crypto';
import { parseDocument } from 'yaml';
import { formatError } from '../flow';
import type { Execution, LogLevel } from '../model/execution';
import { LOG_LEVELS } from '../model/execution';
import { STATES, type StateType } from '../model/state';
import type { TriggerEvent } from '../plugins/types';
import type { Engine } from '../runtime/engine';
import { HttpError, Router, type ApiRequest } from './router';

const WEBHOOK_TYPES = new Set(['io.kestra.plugin.core.trigger.Webhook', 'io.kestra.core.models.triggers.types.Webhook']);

export function kestraRoutes(engine: Engine): Router {
  const r = new Router();

  // Webhooks are authenticated by their key, as in Kestra: no bearer token.
  for (const method of ['GET', 'POST', 'PUT']) {
    r.add(method, '/api/v1/executions/webhook/:namespace/:flowId/:key', (req) => webhook(engine, req), { public: true });
    r.add(method, '/api/v1/main/executions/webhook/:namespace/:flowId/:key', (req) => webhook(engine, req), { public: true });
  }

  r.add('GET', '/api/v1/executions/search', async (req) => {
    await engine.store.writer.flush();
    const q = req.query;
    const states = q.getAll('state').flatMap((s) => s.split(',')).filter(Boolean);
    for (const s of states) if (!STATES.includes(s as StateType)) throw new HttpError(400, `unknown state ${s}`);
    const labels: Record<string, string> = {};
    for (const l of q.getAll('labels')) {
      const i = l.indexOf(':');
      if (i > 0) labels[l.slice(0, i)] = l.slice(i + 1);
    }
    const result = engine.store.searchExecutions({
      namespace: q.get('namespace') ?? undefined,
      flowId: q.get('flowId') ?? undefined,
      state: states as StateType[],
      from: q.get('startDate') ? Date.parse(q.get('startDate')!) : undefined,
      to: q.get('endDate') ? Date.parse(q.get('endDate')!) : undefined,
      labels,
      page: num(q.get('page'), 1),
      size: num(q.get('size'), 25),
      sort: q.get('sort')?.endsWith(':asc') ? 'asc' : 'desc',
    });
    return { status: 200, body: result };
  });

  r.add('GET', '/api/v1/executions/:id', async (req) => {
    const e = engine.executor.live(req.params.id) ?? (await engine.readExecution(req.params.id));
    if (!e) throw new HttpError(404, `execution ${req.params.id} not found`);
    return { status: 200, body: e };
  });

  r.add('DELETE', '/api/v1/executions/:id', (req) => {
    if (engine.executor.isRunning(req.params.id)) throw new HttpError(409, 'the execution is still running: kill it first');
    if (!engine.store.deleteExecution(req.params.id)) throw new HttpError(404, `execution ${req.params.id} not found`);
    return { status: 204 };
  });

  r.add('DELETE', '/api/v1/executions/:id/kill', (req) => kill(engine, req.params.id));
  r.add('POST', '/api/v1/executions/:id/kill', (req) => kill(engine, req.params.id));

  r.add('POST', '/api/v1/executions/:id/resume', async (req) => {
    const inputs = await readInputs(req);
    if (!engine.resume(req.params.id, inputs)) throw new HttpError(409, `execution ${req.params.id} is not paused`);
    return { status: 204 };
  });

  r.add('POST', '/api/v1/executions/:namespace/:flowId', async (req) => {
    const inputs = await readInputs(req);
    const labels: Record<string, string> = {};
    for (const l of req.query.getAll('labels')) {
      const i = l.indexOf(':');
      if (i > 0) labels[l.slice(0, i)] = l.slice(i + 1);
    }
    const execution = await engine.createExecution(req.params.namespace, req.params.flowId, inputs, labels);
    if (req.query.get('wait') === 'true') return { status: 200, body: await engine.waitFor(execution.id) };
    return { status: 200, body: execution };
  });

  r.add('GET', '/api/v1/logs/:executionId', (req) => {
    const min = (req.query.get('minLevel') ?? undefined) as LogLevel | undefined;
    if (min && !LOG_LEVELS.includes(min)) throw new HttpError(400, `unknown log level ${min}`);
    return { status: 200, body: engine.store.logs({ executionId: req.params.executionId, minLevel: min }).map(({ id: _id, ...l }) => l) };
  });

  // ── flows (YAML in, Kestra's flow JSON out) ──
  r.add('GET', '/api/v1/flows/search', (req) => {
    const ns = req.query.get('namespace');
    const text = req.query.get('q')?.toLowerCase();
    const results = engine
      .flows()
      .filter((f) => (!ns || f.flow.namespace === ns || f.flow.namespace.startsWith(`${ns}.`)) && (!text || f.flow.id.toLowerCase().includes(text)))
      .map((f) => flowJson(f));
    return { status: 200, body: { results, total: results.length } };
  });
  r.add('GET', '/api/v1/flows/:namespace', (req) => ({
    status: 200,
    body: engine.flows().filter((f) => f.flow.namespace === req.params.namespace).map((f) => flowJson(f)),
  }));
  r.add('GET', '/api/v1/flows/:namespace/:id', (req) => {
    const f = engine.flow(req.params.namespace, req.params.id);
    if (!f) throw new HttpError(404, `flow ${req.params.namespace}.${req.params.id} not found`);
    return { status: 200, body: flowJson(f) };
  });
  r.add('POST', '/api/v1/flows', async (req) => {
    const source = req.body.toString('utf8');
    const parsed = peekIds(source);
    if (parsed && engine.flow(parsed.namespace, parsed.id)) throw new HttpError(409, `flow ${parsed.namespace}.${parsed.id} already exists`);
    return saveFlow(engine, source);
  });
  r.add('PUT', '/api/v1/flows/:namespace/:id', async (req) => {
    const source = req.body.toString('utf8');
    const parsed = peekIds(source);
    if (parsed && (parsed.namespace !== req.params.namespace || parsed.id !== req.params.id)) {
      throw new HttpError(422, `the flow's namespace and id (${parsed.namespace}.${parsed.id}) do not match the path`);
    }
    if (!engine.flow(req.params.namespace, req.params.id)) throw new HttpError(404, `flow ${req.params.namespace}.${req.params.id} not found`);
    return saveFlow(engine, source);
  });
  r.add('DELETE', '/api/v1/flows/:namespace/:id', async (req) => {
    if (!(await engine.deleteFlow(req.params.namespace, req.params.id))) throw new HttpError(404, `flow ${req.params.namespace}.${req.params.id} not found`);
    return { status: 204 };
  });
  r.add('POST', '/api/v1/flows/validate', (req) => {
    // Kestra validates a multi-document YAML body and answers one entry per document.
    const docs = req.body.toString('utf8').split(/^---\s*$/m).filter((d) => d.trim());
    return {
      status: 200,
      body: docs.map((source, index) => {
        const errors = engine.validate(source);
        const ids = peekIds(source);
        const hard = errors.filter((e) => e.severity === 'error');
        return {
          index,
          ...(ids ? { flow: ids.id, namespace: ids.namespace } : {}),
          ...(hard.length ? { constraints: hard.map((e) => formatError(e)).join('\n') } : {}),
          warnings: errors.filter((e) => e.severity === 'warning').map((e) => formatError(e)),
          errors: hard,
        };
      }),
    };
  });

  return r;
}

async function webhook(engine: Engine, req: ApiRequest) {
  const { namespace, flowId, key } = req.params;
  const loaded = engine.flow(namespace, flowId);
  const spec = loaded?.flow.triggers?.find((t) => WEBHOOK_TYPES.has(t.type) && !t.disabled && safeEqual(String(t.key), key));
  if (!loaded || !spec || loaded.flow.disabled) throw new HttpError(404, `no webhook for ${namespace}.${flowId} with that key`);
  const inst = engine.supervisor.get(namespace, flowId, spec.id);
  const event: TriggerEvent = {
    variables: { body: parseBody(req), headers: multiMap(req.headers), parameters: queryMap(req.query) },
    ...(spec.inputs ? { inputs: spec.inputs as Record<string, unknown> } : {}),
  };
  const [result] = inst ? await inst.admit([event]) : await engine.admit(loaded, spec, [event]);
  if (spec.wait === true || spec.wait === 'true') {
    const done = await engine.waitFor(result.executionId);
    return { status: 200, body: spec.returnOutputs ? done.outputs ?? {} : done };
  }
  const execution = result.execution ?? engine.executor.live(result.executionId) ?? engine.getExecution(result.executionId);
  return { status: 200, body: execution ?? { id: result.executionId } };
}

function kill(engine: Engine, id: string) {
  if (!engine.kill(id)) {
    const e = engine.getExecution(id);
    if (!e) throw new HttpError(404, `execution ${id} not found`);
    throw new HttpError(409, `execution ${id} is not running (${e.state.current})`);
  }
  return { status: 202 };
}

async function saveFlow(engine: Engine, source: string) {
  const result = await engine.saveFlow(source);
  if (!result.ok) {
    throw new HttpError(422, result.errors.filter((e) => e.severity === 'error').map((e) => formatError(e)).join('\n'), { errors: result.errors });
  }
  return { status: 200, body: flowJson(result.loaded!) };
}

function flowJson(f: { flow: object; source: string; revision: number }) {
  return { ...f.flow, revision: f.revision, source: f.source };
}

/** Reads flow inputs from a JSON object, a urlencoded form or multipart form data (Kestra's way). */
async function readInputs(req: ApiRequest): Promise<Record<string, unknown>> {
  if (!req.body.length) return {};
  const type = String(req.headers['content-type'] ?? '');
  if (type.includes('application/json')) {
    const parsed = JSON.parse(req.body.toString('utf8'));
    if (!parsed || typeof parsed !== 'object' || Array.isArray(parsed)) throw new HttpError(400, 'inputs must be a JSON object');
    return parsed;
  }
  if (type.includes('multipart/form-data') || type.includes('application/x-www-form-urlencoded')) {
    const form = await new Request('http://localhost/', { method: 'POST', headers: { 'content-type': type }, body: req.body }).formData();
    const out: Record<string, unknown> = {};
    for (const [k, v] of form) out[k] = typeof v === 'string' ? v : Buffer.from(await v.arrayBuffer()).toString('utf8');
    return out;
  }
  throw new HttpError(415, `send inputs as application/json or multipart/form-data, not ${type || 'an untyped body'}`);
}

function parseBody(req: ApiRequest): unknown {
  if (!req.body.length) return null;
  const text = req.body.toString('utf8');
  const type = String(req.headers['content-type'] ?? '');
  if (type.includes('json') || /^\s*[[{]/.test(text)) {
    try {
      return JSON.parse(text);
    } catch {
      return text;
    }
  }
  return text;
}

function multiMap(headers: ApiRequest['headers']): Record<string, string[]> {
  const out: Record<string, string[]> = {};
  for (const [k, v] of Object.entries(headers)) if (v !== undefined) out[k] = Array.isArray(v) ? v : [v];
  return out;
}

function queryMap(q: URLSearchParams): Record<string, string[]> {
  const out: Record<string, string[]> = {};
  for (const [k, v] of q) (out[k] ??= []).push(v);
  return out;
}

function peekIds(source: string): { id: string; namespace: string } | undefined {
  try {
    const doc = parseDocument(source).toJS() as { id?: unknown; namespace?: unknown };
    return typeof doc?.id === 'string' && typeof doc?.namespace === 'string' ? { id: doc.id, namespace: doc.namespace } : undefined;
  } catch {
    return undefined;
  }
}

const num = (v: string | null, d: number) => (v && /^\d+$/.test(v) ? Number(v) : d);

/** Compares secrets in constant time (hashing first makes lengths equal). */
export function safeEqual(a: string, b: string): boolean {
  const ha = crypto.createHash('sha256').update(a).digest();
  const hb = crypto.createHash('sha256').update(b).digest();
  return crypto.timingSafeEqual(ha, hb);
}

export type { Execution };
