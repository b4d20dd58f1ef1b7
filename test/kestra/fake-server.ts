// A small fake of Kestra's REST API for deploy/pull tests. It checks requests the way Kestra's
// webserver documents them (FlowController, NamespaceFileController, ErrorController):
//
//   POST   {base}/flows                    application/x-yaml → 200 + the flow with its source;
//                                          422 "Flow id already exists" when it exists
//   PUT    {base}/flows/{namespace}/{id}   application/x-yaml → 200, 404 when unknown, 422 when the
//                                          body's namespace/id differ from the path
//   GET    {base}/flows/{namespace}/{id}   ?source=true adds the source; 404 when unknown
//   GET    {base}/flows/{namespace}        the namespace's flows
//   GET    {base}/flows/search             ?namespace= (prefix) &page= &size= → {results, total}
//   DELETE {base}/flows/{namespace}/{id}   204
//   POST   {base}/flows/validate           application/x-yaml, documents split on ---
//   POST   {base}/namespaces/{ns}/files    ?path=/… multipart/form-data with a "fileContent" part
//
// {base} is /api/v1 or, with `tenant`, /api/v1/{tenant} (the other form answers 404, as a server
// of the other generation would). Bodies must be YAML mappings with string id and namespace;
// task and trigger types must be in a small allowlist (others: 422 "Invalid type", as Kestra
// answers for a plugin it does not have). Errors are Micronaut JsonErrors ({message, _links,
// _embedded.errors[{message, path}]}). Every request is recorded.
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { parseDocument } from 'yaml';

export interface RecordedRequest {
  method: string;
  path: string;
  query: URLSearchParams;
  headers: http.IncomingHttpHeaders;
  body: string;
  status?: number;
}

export interface StoredFlow { namespace: string; id: string; revision: number; source: string; updated: string }

export interface FakeKestraOptions {
  /** Serve /api/v1/{tenant}/… instead of /api/v1/…. */
  tenant?: string;
  /** Require HTTP Basic auth with these credentials. */
  basic?: { user: string; password: string };
  /** Require this Bearer token. */
  token?: string;
  /** Task and trigger types the server "has" (added to the default allowlist). */
  extraTypes?: string[];
  /** The validation result shape: `constraints` (one string, older Kestra) or `errors` (a list, newer). */
  validationShape?: 'constraints' | 'errors';
}

/** What the fake server knows: Kestra's core plus the realtime-trigger families and their producers. */
export const DEFAULT_TYPES = [
  'io.kestra.plugin.core.log.Log', 'io.kestra.core.tasks.log.Log', 'io.kestra.plugin.core.debug.Return',
  'io.kestra.plugin.core.output.OutputValues', 'io.kestra.plugin.core.execution.Fail', 'io.kestra.plugin.core.flow.If',
  'io.kestra.plugin.core.flow.Switch', 'io.kestra.plugin.core.flow.Parallel', 'io.kestra.plugin.core.flow.Sequential',
  'io.kestra.plugin.core.flow.ForEach', 'io.kestra.plugin.core.flow.Sleep', 'io.kestra.plugin.core.flow.Pause',
  'io.kestra.plugin.core.flow.Subflow', 'io.kestra.plugin.core.http.Request', 'io.kestra.plugin.core.kv.Set',
  'io.kestra.plugin.core.kv.Get', 'io.kestra.plugin.core.trigger.Webhook', 'io.kestra.plugin.core.trigger.Schedule',
  'io.kestra.plugin.core.trigger.Flow', 'io.kestra.plugin.transform.jsonata.TransformValue',
  'io.kestra.plugin.scripts.python.Script', 'io.kestra.plugin.scripts.node.Script', 'io.kestra.plugin.scripts.shell.Commands',
  'io.kestra.plugin.kafka.RealtimeTrigger', 'io.kestra.plugin.kafka.Trigger', 'io.kestra.plugin.kafka.Produce',
  'io.kestra.plugin.amqp.RealtimeTrigger', 'io.kestra.plugin.amqp.Trigger', 'io.kestra.plugin.amqp.Publish',
  'io.kestra.plugin.aws.sqs.RealtimeTrigger', 'io.kestra.plugin.aws.sqs.Trigger', 'io.kestra.plugin.aws.sqs.Publish',
  'io.kestra.plugin.gcp.pubsub.RealtimeTrigger', 'io.kestra.plugin.gcp.pubsub.Trigger', 'io.kestra.plugin.gcp.pubsub.Publish',
  'io.kestra.plugin.redis.list.RealtimeTrigger', 'io.kestra.plugin.redis.list.Trigger', 'io.kestra.plugin.redis.list.ListPush',
  'io.kestra.plugin.debezium.postgres.RealtimeTrigger', 'io.kestra.plugin.debezium.postgres.Trigger',
  'io.kestra.plugin.jdbc.postgresql.Query', 'io.kestra.plugin.jdbc.postgresql.Queries',
  'io.kestra.plugin.mqtt.RealtimeTrigger', 'io.kestra.plugin.mqtt.Trigger', 'io.kestra.plugin.mqtt.Publish',
  'io.kestra.plugin.nats.RealtimeTrigger', 'io.kestra.plugin.nats.core.RealtimeTrigger', 'io.kestra.plugin.nats.Trigger',
  'io.kestra.plugin.nats.Produce',
];

const NAMESPACE = /^[a-z0-9][a-z0-9._-]*$/;
const FLOW_ID = /^[a-zA-Z0-9][a-zA-Z0-9._-]*$/;

class HttpProblem extends Error {
  constructor(readonly status: number, message: string, readonly errors: { message: string; path?: string }[] = []) {
    super(message);
  }
}

export class FakeKestra {
  readonly requests: RecordedRequest[] = [];
  readonly flows = new Map<string, StoredFlow>();
  readonly namespaceFiles = new Map<string, Buffer>();
  url = '';
  private server?: http.Server;
  private readonly types: Set<string>;

  constructor(readonly options: FakeKestraOptions = {}) {
    this.types = new Set([...DEFAULT_TYPES, ...(options.extraTypes ?? [])]);
  }

  get base(): string {
    return `/api/v1${this.options.tenant ? `/${this.options.tenant}` : ''}`;
  }

  async start(): Promise<this> {
    this.server = http.createServer((req, res) => void this.handle(req, res));
    await new Promise<void>((resolve) => this.server!.listen(0, '127.0.0.1', resolve));
    this.url = `http://127.0.0.1:${(this.server.address() as AddressInfo).port}`;
    return this;
  }

  async stop(): Promise<void> {
    if (!this.server) return;
    this.server.closeAllConnections();
    await new Promise<void>((resolve) => this.server!.close(() => resolve()));
  }

  /** Every request body sent so far, concatenated (for "this never left the machine" checks). */
  allBodies(): string {
    return this.requests.map((r) => r.body).join('\n');
  }

  /** Adds a flow as if it had been created on the server. */
  seed(source: string): StoredFlow {
    const { namespace, id } = this.parseFlow(source);
    const flow = { namespace, id, revision: 1, source, updated: new Date().toISOString() };
    this.flows.set(`${namespace}/${id}`, flow);
    return flow;
  }

  private async handle(req: http.IncomingMessage, res: http.ServerResponse): Promise<void> {
    const chunks: Buffer[] = [];
    for await (const c of req) chunks.push(c as Buffer);
    const raw = Buffer.concat(chunks);
    const url = new URL(req.url ?? '/', 'http://fake');
    const rec: RecordedRequest = { method: req.method ?? 'GET', path: url.pathname, query: url.searchParams, headers: req.headers, body: raw.toString('utf8') };
    this.requests.push(rec);
    const send = (status: number, body?: unknown) => {
      rec.status = status;
      if (body === undefined) {
        res.writeHead(status).end();
        return;
      }
      res.writeHead(status, { 'content-type': 'application/json' }).end(JSON.stringify(body));
    };
    try {
      this.checkAuth(req);
      const out = await this.route(rec, raw, req);
      send(out.status, out.body);
    } catch (e) {
      if (e instanceof HttpProblem) {
        // Micronaut's JsonError, as Kestra's ErrorController builds it.
        send(e.status, {
          message: e.message,
          _links: { self: { href: req.url, templated: false } },
          ...(e.errors.length ? { _embedded: { errors: e.errors.map((x) => ({ message: x.message, ...(x.path ? { path: x.path } : {}) })) } } : {}),
        });
      } else send(500, { message: `Internal server error: ${(e as Error).message}` });
    }
  }

  private checkAuth(req: http.IncomingMessage): void {
    const { basic, token } = this.options;
    if (!basic && !token) return;
    const header = req.headers.authorization ?? '';
    if (basic && header === `Basic ${Buffer.from(`${basic.user}:${basic.password}`).toString('base64')}`) return;
    if (token && header === `Bearer ${token}`) return;
    throw new HttpProblem(401, 'Unauthorized');
  }

  private requireYaml(req: http.IncomingMessage): void {
    const type = String(req.headers['content-type'] ?? '');
    if (!type.startsWith('application/x-yaml')) throw new HttpProblem(415, `Unsupported Media Type: Content Type [${type || 'none'}] not allowed. Allowed types: [application/x-yaml]`);
  }

  private async route(rec: RecordedRequest, raw: Buffer, req: http.IncomingMessage): Promise<{ status: number; body?: unknown }> {
    const base = this.base;
    if (!rec.path.startsWith(`${base}/`)) throw new HttpProblem(404, 'Not Found');
    const rest = rec.path.slice(base.length).split('/').filter(Boolean).map(decodeURIComponent);
    const m = rec.method;

    if (rest[0] === 'namespaces' && rest.length === 3 && rest[2] === 'files' && m === 'POST') return this.namespaceFile(rest[1], rec, raw, req);
    if (rest[0] !== 'flows') throw new HttpProblem(404, 'Not Found');

    if (m === 'POST' && rest.length === 1) {
      this.requireYaml(req);
      const { namespace, id } = this.parseFlow(rec.body);
      this.checkTypes(rec.body);
      if (this.flows.has(`${namespace}/${id}`)) throw new HttpProblem(422, 'Invalid entity: flow.id: Flow id already exists', [{ message: 'Flow id already exists', path: 'flow.id' }]);
      const flow = { namespace, id, revision: 1, source: rec.body, updated: new Date().toISOString() };
      this.flows.set(`${namespace}/${id}`, flow);
      return { status: 200, body: this.json(flow, true) };
    }
    if (m === 'POST' && rest.length === 2 && rest[1] === 'validate') {
      this.requireYaml(req);
      return { status: 200, body: this.validate(rec.body) };
    }
    if (m === 'GET' && rest.length === 2 && rest[1] === 'search') {
      const ns = rec.query.get('namespace');
      const page = Math.max(1, Number(rec.query.get('page') ?? 1));
      const size = Math.max(1, Number(rec.query.get('size') ?? 10));
      const all = [...this.flows.values()].filter((f) => !ns || f.namespace === ns || f.namespace.startsWith(`${ns}.`)).sort((a, b) => `${a.namespace}.${a.id}`.localeCompare(`${b.namespace}.${b.id}`));
      return { status: 200, body: { results: all.slice((page - 1) * size, page * size).map((f) => this.json(f, false)), total: all.length } };
    }
    if (m === 'GET' && rest.length === 2) {
      return { status: 200, body: [...this.flows.values()].filter((f) => f.namespace === rest[1]).map((f) => this.json(f, false)) };
    }
    if (rest.length === 3) {
      const [, namespace, id] = rest;
      const key = `${namespace}/${id}`;
      const existing = this.flows.get(key);
      if (m === 'GET') {
        if (!existing) throw new HttpProblem(404, 'Not Found');
        return { status: 200, body: this.json(existing, rec.query.get('source') === 'true') };
      }
      if (m === 'PUT') {
        this.requireYaml(req);
        if (!existing) return { status: 404 };
        const parsed = this.parseFlow(rec.body);
        if (parsed.namespace !== namespace) throw new HttpProblem(422, 'Invalid entity: flow.namespace: Illegal namespace update', [{ message: 'Illegal namespace update', path: 'flow.namespace' }]);
        if (parsed.id !== id) throw new HttpProblem(422, 'Invalid entity: flow.id: Illegal flow id update', [{ message: 'Illegal flow id update', path: 'flow.id' }]);
        this.checkTypes(rec.body);
        const flow = { ...existing, revision: existing.source === rec.body ? existing.revision : existing.revision + 1, source: rec.body, updated: new Date().toISOString() };
        this.flows.set(key, flow);
        return { status: 200, body: this.json(flow, true) };
      }
      if (m === 'DELETE') {
        if (!existing) throw new HttpProblem(404, 'Not Found');
        this.flows.delete(key);
        return { status: 204 };
      }
    }
    throw new HttpProblem(404, 'Not Found');
  }

  private json(f: StoredFlow, withSource: boolean): Record<string, unknown> {
    const body = parseDocument(f.source).toJS() as Record<string, unknown>;
    return { ...body, id: f.id, namespace: f.namespace, revision: f.revision, deleted: false, updated: f.updated, ...(withSource ? { source: f.source } : {}) };
  }

  /** The body as Kestra reads a flow: a YAML mapping with a string id and namespace of valid form. */
  private parseFlow(source: string): { namespace: string; id: string } {
    const doc = parseDocument(source);
    if (doc.errors.length) throw new HttpProblem(422, `Illegal argument: Cannot parse the flow: ${doc.errors[0].message.split('\n')[0]}`);
    const js = doc.toJS() as Record<string, unknown> | null;
    if (!js || typeof js !== 'object' || Array.isArray(js)) throw new HttpProblem(422, 'Illegal argument: a flow is a YAML mapping');
    const errors: { message: string; path: string }[] = [];
    if (typeof js.id !== 'string') errors.push({ message: 'must not be null', path: 'flow.id' });
    else if (!FLOW_ID.test(js.id)) errors.push({ message: `must match "${FLOW_ID.source}"`, path: 'flow.id' });
    if (typeof js.namespace !== 'string') errors.push({ message: 'must not be null', path: 'flow.namespace' });
    else if (!NAMESPACE.test(js.namespace)) errors.push({ message: `must match "${NAMESPACE.source}"`, path: 'flow.namespace' });
    if (!Array.isArray(js.tasks) || !js.tasks.length) errors.push({ message: 'must not be empty', path: 'flow.tasks' });
    if (errors.length) throw new HttpProblem(422, `Invalid entity: ${errors.map((e) => `${e.path}: ${e.message}`).join(', ')}`, errors);
    return { namespace: js.namespace as string, id: js.id as string };
  }

  /** Every task and trigger type must be one the server has (children of flowable tasks included). */
  private typeErrors(source: string): { message: string; path: string }[] {
    const js = parseDocument(source).toJS() as Record<string, unknown>;
    const errors: { message: string; path: string }[] = [];
    const visit = (list: unknown, at: string) => {
      if (!Array.isArray(list)) return;
      list.forEach((t, i) => {
        if (!t || typeof t !== 'object') return;
        const task = t as Record<string, unknown>;
        if (typeof task.type === 'string' && !this.types.has(task.type)) errors.push({ message: `Invalid type: ${task.type}`, path: `${at}[${i}]` });
        for (const k of ['tasks', 'then', 'else', 'errors', 'finally']) visit(task[k], `${at}[${i}].${k}`);
        if (task.cases && typeof task.cases === 'object') for (const [c, l] of Object.entries(task.cases)) visit(l, `${at}[${i}].cases.${c}`);
      });
    };
    for (const k of ['tasks', 'errors', 'finally', 'afterExecution', 'triggers']) visit(js[k], k);
    return errors;
  }

  private checkTypes(source: string): void {
    const errors = this.typeErrors(source);
    if (errors.length) throw new HttpProblem(422, `Invalid entity: ${errors.map((e) => `${e.path}: ${e.message}`).join(', ')}`, errors);
  }

  private validate(body: string): unknown[] {
    const docs = body.trim().split(/\n+---\n*/);
    return docs.map((source, index) => {
      const out: Record<string, unknown> = { index, outdated: false, deprecationPaths: [], warnings: [], infos: [] };
      let problems: { message: string; path?: string }[] = [];
      try {
        const ids = this.parseFlow(source);
        out.namespace = ids.namespace;
        out.flow = ids.id;
        problems = this.typeErrors(source);
      } catch (e) {
        problems = e instanceof HttpProblem && e.errors.length ? e.errors : [{ message: (e as Error).message }];
      }
      if (problems.length) {
        if (this.options.validationShape === 'errors') out.errors = problems.map((p) => ({ detail: p.message, ...(p.path ? { path: p.path } : {}) }));
        else out.constraints = problems.map((p) => (p.path ? `${p.path}: ${p.message}` : p.message)).join('\n');
      }
      return out;
    });
  }

  private async namespaceFile(namespace: string, rec: RecordedRequest, raw: Buffer, req: http.IncomingMessage): Promise<{ status: number }> {
    const type = String(req.headers['content-type'] ?? '');
    if (!type.startsWith('multipart/form-data')) throw new HttpProblem(415, `Unsupported Media Type: Content Type [${type || 'none'}] not allowed. Allowed types: [multipart/form-data]`);
    const filePath = rec.query.get('path');
    if (!filePath) throw new HttpProblem(400, 'Bad Request: Required QueryValue [path] not specified');
    const form = await new Request('http://fake/', { method: 'POST', headers: { 'content-type': type }, body: new Uint8Array(raw).slice() }).formData();
    const part = form.get('fileContent');
    if (!part || typeof part === 'string') throw new HttpProblem(400, 'Bad Request: Required Part [fileContent] not specified');
    if (/^\/_flows(\/|$)/.test(filePath)) throw new HttpProblem(422, 'Illegal argument: _flows is reserved');
    this.namespaceFiles.set(`${namespace}:${filePath}`, Buffer.from(await part.arrayBuffer()));
    return { status: 200 };
  }
}

export async function startFakeKestra(options: FakeKestraOptions = {}): Promise<FakeKestra> {
  return new FakeKestra(options).start();
}
