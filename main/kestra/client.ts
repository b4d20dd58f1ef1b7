// A small client of Kestra's REST API (webserver FlowController / NamespaceFileController):
//
//   POST   {base}/flows                     create, body = the YAML (Content-Type: application/x-yaml)
//   PUT    {base}/flows/{namespace}/{id}    update (404 when the flow does not exist)
//   GET    {base}/flows/{namespace}/{id}?source=true
//   GET    {base}/flows/search?namespace=…&page=…&size=…   (namespace is a prefix filter)
//   POST   {base}/flows/validate            one or more YAML documents → one result per document
//   POST   {base}/namespaces/{ns}/files?path=/…   multipart/form-data, the file in part "fileContent"
//
// where {base} is `/api/v1` (Kestra before tenants) or `/api/v1/{tenant}` (newer versions: tenant `main`
// in OSS, any tenant in EE). Auth: HTTP Basic (OSS basic auth) or a Bearer API token (EE).
// Errors come back as Kestra's JsonError ({message, _embedded.errors[{message, path}]}) or, in
// newer versions, RFC 9457 problems ({detail, errors[{detail, path}]}): both are read.

export interface KestraAuth {
  user?: string;
  password?: string;
  /** An API token (Enterprise Edition / Cloud): sent as a Bearer token. */
  token?: string;
}

export interface KestraClientOptions {
  /** The server's URL, e.g. http://localhost:8080 (a trailing /api/v1 is tolerated). */
  server: string;
  auth?: KestraAuth;
  /** Prefix paths with /api/v1/{tenant} (newer Kestra versions; tenant "main" in OSS). */
  tenant?: string;
  timeoutMs?: number;
  /** Called with every request before it is sent (tests record them). */
  onRequest?: (req: { method: string; url: string; headers: Record<string, string>; body?: string }) => void;
}

export interface KestraFlow {
  id: string;
  namespace: string;
  revision?: number;
  source?: string;
  disabled?: boolean;
  deleted?: boolean;
  [k: string]: unknown;
}

export interface KestraValidation {
  index?: number;
  flow?: string;
  namespace?: string;
  /** Older versions: every violation in one string. */
  constraints?: string;
  /** Newer versions: one entry per violation. */
  errors?: { detail?: string; message?: string; path?: string }[];
  warnings?: string[];
  infos?: string[];
  outdated?: boolean;
  deprecationPaths?: string[];
}

export class KestraHttpError extends Error {
  constructor(
    readonly status: number,
    readonly method: string,
    readonly url: string,
    /** Kestra's message lines (the top message first, then one per violation). */
    readonly messages: string[],
    readonly body: unknown,
  ) {
    super(messages.length ? messages.join('\n') : `${method} ${url}: HTTP ${status}`);
  }
}

export function authHeader(auth: KestraAuth | undefined): string | undefined {
  if (!auth) return undefined;
  if (auth.token) return `Bearer ${auth.token}`;
  if (auth.user !== undefined) return `Basic ${Buffer.from(`${auth.user}:${auth.password ?? ''}`, 'utf8').toString('base64')}`;
  return undefined;
}

/** The lines worth showing from a Kestra error body (JsonError or RFC 9457 problem), de-duplicated. */
export function errorMessages(body: unknown): string[] {
  if (typeof body === 'string') return body.trim() ? [body.trim()] : [];
  if (!body || typeof body !== 'object') return [];
  const b = body as Record<string, any>;
  const out: string[] = [];
  const top = typeof b.message === 'string' ? b.message : typeof b.detail === 'string' ? b.detail : typeof b.title === 'string' ? b.title : undefined;
  if (top) out.push(top);
  const nested = (Array.isArray(b._embedded?.errors) ? b._embedded.errors : Array.isArray(b.errors) ? b.errors : []) as Record<string, unknown>[];
  const lines: string[] = [];
  for (const e of nested) {
    const text = typeof e.message === 'string' ? e.message : typeof e.detail === 'string' ? e.detail : undefined;
    if (text) lines.push(typeof e.path === 'string' && e.path && !text.startsWith(e.path) ? `${e.path}: ${text}` : text);
  }
  // A constraint violation's top message only repeats its violations ("Invalid entity: a: x, b: y").
  if (lines.length && top && /^Invalid entity\b/i.test(top)) out.length = 0;
  out.push(...lines);
  return [...new Set(out)];
}

/** The violations of one validation result, as lines ([] when the flow is valid). */
export function validationMessages(v: KestraValidation): string[] {
  const lines: string[] = [];
  // Older servers put every violation in `constraints`; newer ones list them in `errors`.
  if (typeof v.constraints === 'string' && v.constraints.trim()) return [...new Set(v.constraints.trim().split('\n').map((l) => l.trim()).filter(Boolean))];
  for (const e of v.errors ?? []) {
    const text = e.detail ?? e.message;
    if (text) lines.push(e.path && !text.startsWith(e.path) ? `${e.path}: ${text}` : text);
  }
  return [...new Set(lines)];
}

export class KestraClient {
  readonly server: string;
  readonly base: string;

  constructor(readonly options: KestraClientOptions) {
    let server = options.server.trim().replace(/\/+$/, '');
    server = server.replace(/\/api\/v1$/, '');
    if (!/^https?:\/\//.test(server)) throw new Error(`--server must be an http(s) URL, not "${options.server}"`);
    this.server = server;
    this.base = `${server}/api/v1${options.tenant ? `/${encodeURIComponent(options.tenant)}` : ''}`;
  }

  async request<T = unknown>(
    method: string,
    pathAndQuery: string,
    init: { body?: string | Buffer; contentType?: string; accept?: string; allow404?: boolean } = {},
  ): Promise<{ status: number; body: T }> {
    const url = `${this.base}${pathAndQuery}`;
    const headers: Record<string, string> = { accept: init.accept ?? 'application/json' };
    if (init.contentType) headers['content-type'] = init.contentType;
    const auth = authHeader(this.options.auth);
    if (auth) headers.authorization = auth;
    this.options.onRequest?.({ method, url, headers: { ...headers }, ...(init.body !== undefined ? { body: init.body.toString() } : {}) });
    let res: Response;
    try {
      // A Uint8Array over its own ArrayBuffer is a body for every fetch typing (Node's and the DOM's).
      const body = init.body === undefined || typeof init.body === 'string' ? init.body : new Uint8Array(init.body).slice();
      res = await fetch(url, {
        method,
        headers,
        body,
        signal: AbortSignal.timeout(this.options.timeoutMs ?? 30_000),
        redirect: 'manual',
      });
    } catch (e) {
      const cause = (e as { cause?: { code?: string; message?: string } }).cause;
      throw new KestraHttpError(0, method, url, [`cannot reach ${this.server}: ${cause?.code ?? cause?.message ?? (e as Error).message}`], undefined);
    }
    const text = await res.text();
    let body: unknown = text;
    if (text && (res.headers.get('content-type') ?? '').includes('json')) {
      try {
        body = JSON.parse(text);
      } catch {
        // keep the text
      }
    }
    if (res.status === 404 && init.allow404) return { status: 404, body: undefined as T };
    if (res.status >= 300) {
      let messages = errorMessages(body);
      if (res.status === 401) messages = [`401 Unauthorized: ${auth ? 'the server refused these credentials' : 'the server needs credentials (--user/--password or --token)'}`, ...messages.filter((m) => !/unauthorized/i.test(m))];
      else if (res.status === 403) messages = ['403 Forbidden: these credentials may not do this', ...messages];
      else if (!messages.length) messages = [`HTTP ${res.status} ${res.statusText}`.trim()];
      throw new KestraHttpError(res.status, method, url, messages, body);
    }
    return { status: res.status, body: body as T };
  }

  private flowPath(namespace: string, id: string): string {
    return `/flows/${encodeURIComponent(namespace)}/${encodeURIComponent(id)}`;
  }

  /** The flow with its source, or undefined when the server has none with that id. */
  async getFlow(namespace: string, id: string): Promise<KestraFlow | undefined> {
    const r = await this.request<KestraFlow>('GET', `${this.flowPath(namespace, id)}?source=true`, { allow404: true });
    return r.status === 404 || !r.body ? undefined : r.body;
  }

  async createFlow(source: string): Promise<KestraFlow> {
    return (await this.request<KestraFlow>('POST', '/flows', { body: source, contentType: 'application/x-yaml' })).body;
  }

  /** Updates an existing flow; undefined when the server has no such flow (404). */
  async updateFlow(namespace: string, id: string, source: string): Promise<KestraFlow | undefined> {
    const r = await this.request<KestraFlow>('PUT', this.flowPath(namespace, id), { body: source, contentType: 'application/x-yaml', allow404: true });
    return r.status === 404 ? undefined : r.body;
  }

  /** Validates flows without saving them: one result per source, in order. */
  async validateFlows(sources: string[]): Promise<KestraValidation[]> {
    const body = sources.map((s) => s.replace(/\s+$/, '')).join('\n---\n');
    const r = await this.request<KestraValidation[]>('POST', '/flows/validate', { body, contentType: 'application/x-yaml' });
    if (!Array.isArray(r.body)) throw new KestraHttpError(r.status, 'POST', `${this.base}/flows/validate`, ['the validation endpoint answered something other than a list'], r.body);
    return r.body;
  }

  /** Flows whose namespace is `namespace` or below it (every flow without one), page by page. */
  async searchFlows(namespace?: string, pageSize = 100): Promise<KestraFlow[]> {
    const out: KestraFlow[] = [];
    for (let page = 1; page < 10_000; page++) {
      const q = new URLSearchParams({ page: String(page), size: String(pageSize) });
      if (namespace) q.set('namespace', namespace);
      const { body } = await this.request<{ results?: KestraFlow[]; total?: number }>('GET', `/flows/search?${q}`);
      const results = body?.results ?? [];
      out.push(...results);
      if (results.length < pageSize || (typeof body?.total === 'number' && out.length >= body.total)) break;
    }
    return out;
  }

  /** Uploads one namespace file (created or replaced). `filePath` is absolute in the namespace: /scripts/a.py. */
  async uploadNamespaceFile(namespace: string, filePath: string, content: Buffer): Promise<void> {
    const p = filePath.startsWith('/') ? filePath : `/${filePath}`;
    const boundary = `----peregrine${Math.random().toString(16).slice(2)}${Date.now().toString(16)}`;
    const name = p.split('/').pop() || 'file';
    const body = Buffer.concat([
      Buffer.from(`--${boundary}\r\nContent-Disposition: form-data; name="fileContent"; filename="${name.replace(/"/g, '')}"\r\nContent-Type: application/octet-stream\r\n\r\n`),
      content,
      Buffer.from(`\r\n--${boundary}--\r\n`),
    ]);
    await this.request('POST', `/namespaces/${encodeURIComponent(namespace)}/files?${new URLSearchParams({ path: p })}`, {
      body,
      contentType: `multipart/form-data; boundary=${boundary}`,
    });
  }
}
