// io.kestra.plugin.core.http.Request: one HTTP call; the status, headers and body become outputs.
import { z } from 'zod';
import { p, parseDuration } from '../schema';
import type { TaskContext, TaskDefinition } from '../types';

const DEFAULT_READ_IDLE_MS = 5 * 60_000; // Kestra: timeout.readIdleTimeout = PT5M
const DEFAULT_MAX_CONTENT_LENGTH = 10 * 1024 * 1024; // Kestra: 10 MB unless options.maxContentLength
const LOG_TYPES = ['REQUEST_HEADERS', 'REQUEST_BODY', 'RESPONSE_HEADERS', 'RESPONSE_BODY'] as const;

const optionsSchema = z
  .looseObject({
    timeout: z
      .looseObject({
        connectTimeout: p.duration('Time allowed to connect and get a first answer.').optional(),
        readIdleTimeout: p.duration('Time the connection may stay silent while reading (PT5M by default).').optional(),
      })
      .optional(),
    auth: z
      .looseObject({
        type: p.enum(['BASIC', 'BEARER', 'DIGEST'], 'The authentication scheme.'),
        username: p.string().optional(),
        password: p.string().optional(),
        token: p.string().optional(),
      })
      .optional(),
    proxy: p.map('Proxy settings (not supported yet: ignored with a warning).').optional(),
    ssl: p.map('TLS settings (not supported yet: ignored with a warning).').optional(),
    followRedirects: p.bool('Follow redirects (default true).').optional(),
    allowFailed: p.bool('Accept any status code, 4xx and 5xx included (default false).').optional(),
    allowedResponseCodes: z
      .union([z.array(p.int()), z.string()])
      .optional()
      .describe('Only these status codes succeed; overrides allowFailed.'),
    defaultCharset: p.string('Charset of the request body (UTF-8 by default).').optional(),
    logs: z.array(p.enum(LOG_TYPES)).optional().describe('What to log of the request and the response.'),
    // Deprecated Kestra options, still accepted.
    connectTimeout: p.duration().optional(),
    readTimeout: p.duration().optional(),
    readIdleTimeout: p.duration().optional(),
    connectionPoolIdleTimeout: p.duration().optional(),
    maxContentLength: p.int('Largest response body accepted, in bytes (10 MB by default).').optional(),
    proxyType: p.string().optional(),
    proxyAddress: p.string().optional(),
    proxyPort: p.int().optional(),
    proxyUsername: p.string().optional(),
    proxyPassword: p.string().optional(),
    basicAuthUser: p.string().optional(),
    basicAuthPassword: p.string().optional(),
    logLevel: p.string().optional(),
  })
  .describe('HTTP client options: timeouts, auth, redirects, accepted status codes.');

const props = z.object({
  uri: p.string('The full URL to call.'),
  method: p.string('The HTTP method.').default('GET'),
  body: z
    .union([z.string(), z.number(), z.boolean(), z.array(z.any()), z.record(z.string(), z.any())])
    .optional()
    .describe('The request body, as text (a map or list is sent as JSON).'),
  formData: p.map('Form fields; sent as multipart when contentType is multipart/form-data, URL-encoded otherwise.').optional(),
  contentType: p.string('The request content type.').default('application/json'),
  headers: p.map('Request headers.').optional(),
  options: optionsSchema.optional(),
  encryptBody: p.bool('Encrypt the body output (needs an encryption key; not available locally).').default(false),
  allowFailed: p.bool('Deprecated: use options.allowFailed.').optional(),
  sslOptions: p.map('Deprecated: use options.ssl.').optional(),
});

type Props = z.infer<typeof props>;
type Options = z.infer<typeof optionsSchema>;

export const request: TaskDefinition<Props> = {
  kind: 'task',
  type: 'io.kestra.plugin.core.http.Request',
  aliases: ['io.kestra.plugin.fs.http.Request'],
  title: 'HTTP request',
  description:
    'Sends an HTTP request and returns the status code, headers and body. A status of 400 or more fails the task unless options.allowFailed or options.allowedResponseCodes says otherwise.',
  category: 'HTTP',
  icon: 'globe',
  props,
  examples: [
    {
      title: 'POST the event as JSON',
      code:
        'id: forward\ntype: io.kestra.plugin.core.http.Request\nuri: https://api.example.com/orders\nmethod: POST\n' +
        'contentType: application/json\nbody: "{{ trigger.value }}"',
    },
    {
      title: 'GET with a bearer token, accepting 404',
      code:
        'id: lookup\ntype: io.kestra.plugin.core.http.Request\nuri: "https://api.example.com/customers/{{ inputs.id }}"\n' +
        "options:\n  auth:\n    type: BEARER\n    token: \"{{ secret('API_TOKEN') }}\"\n  allowedResponseCodes: [200, 404]",
    },
  ],
  outputs: {
    uri: 'The URL that was called.',
    code: 'The response status code.',
    headers: 'The response headers: lower-case name → list of values.',
    body: 'The response body as text (null when the response has none).',
  },
  async run(ctx, props) {
    return send(ctx, props);
  },
};

async function send(ctx: TaskContext, props: Props): Promise<Record<string, unknown>> {
  const options: Options = props.options ?? {};
  const uri = props.uri.replace(/ /g, '%20');
  let url: URL;
  try {
    url = new URL(uri);
  } catch {
    throw new Error(`Invalid uri '${props.uri}': give a full URL such as https://host/path`);
  }
  if (url.protocol !== 'http:' && url.protocol !== 'https:') throw new Error(`Unsupported uri scheme '${url.protocol}' in '${props.uri}'`);
  const method = (props.method || 'GET').toUpperCase();
  const contentType = props.contentType;
  const charset = options.defaultCharset ?? 'UTF-8';

  warnUnsupported(ctx, props, options);
  const headers = new Headers();
  let body: string | URLSearchParams | FormData | undefined;
  const formData = props.formData && Object.keys(props.formData).length > 0 ? props.formData : undefined;
  if (formData) {
    body = contentType === 'multipart/form-data' ? multipart(ctx, formData) : urlEncoded(formData);
  } else if (props.body !== undefined && props.body !== null) {
    body = typeof props.body === 'string' ? props.body : JSON.stringify(props.body);
    if (contentType) headers.set('Content-Type', /charset=/i.test(contentType) ? contentType : `${contentType}; charset=${charset}`);
  } else if (contentType) {
    headers.set('Content-Type', contentType);
  }
  for (const [name, value] of Object.entries(props.headers ?? {})) {
    if (value !== undefined && value !== null) headers.set(name, typeof value === 'string' ? value : String(value));
  }
  applyAuth(options, headers);
  if (body !== undefined && (method === 'GET' || method === 'HEAD')) {
    throw new Error(`A ${method} request cannot carry a body here: use POST/PUT/PATCH, or remove \`body\`/\`formData\``);
  }

  const logs = new Set(options.logs ?? []);
  if (logs.has('REQUEST_HEADERS')) headers.forEach((v, k) => ctx.logger.info(`Request header ${k}: ${v}`));
  if (logs.has('REQUEST_BODY') && typeof body === 'string') ctx.logger.info(`Request body: ${body}`);

  const readIdleMs =
    durationMs(options.timeout?.readIdleTimeout, 'options.timeout.readIdleTimeout') ??
    durationMs(options.readTimeout, 'options.readTimeout') ??
    DEFAULT_READ_IDLE_MS;
  const connectMs = durationMs(options.timeout?.connectTimeout ?? options.connectTimeout, 'options.timeout.connectTimeout');
  const maxLength = options.maxContentLength !== undefined ? Number(options.maxContentLength) : DEFAULT_MAX_CONTENT_LENGTH;

  // One controller for kill/timeout of the task and for the client's own timeouts.
  const controller = new AbortController();
  let timedOut: string | undefined;
  let timer: NodeJS.Timeout | undefined;
  const arm = (ms: number, what: string) => {
    clearTimeout(timer);
    timer = setTimeout(() => {
      timedOut = what;
      controller.abort(new Error(what));
    }, ms);
  };
  const onAbort = () => controller.abort(ctx.signal.reason);
  if (ctx.signal.aborted) onAbort();
  else ctx.signal.addEventListener('abort', onAbort, { once: true });

  try {
    arm((connectMs ?? 0) + readIdleMs, `no response within ${formatMs((connectMs ?? 0) + readIdleMs)}`);
    let response: Response;
    try {
      response = await fetch(url, {
        method,
        headers,
        body,
        redirect: options.followRedirects === false || options.followRedirects === 'false' ? 'manual' : 'follow',
        signal: controller.signal,
      });
    } catch (e) {
      throw requestError(ctx, uri, e, timedOut);
    }

    const code = response.status;
    const outHeaders = headersOf(response.headers);
    if (logs.has('RESPONSE_HEADERS')) {
      for (const [k, vs] of Object.entries(outHeaders)) for (const v of vs) ctx.logger.info(`Response header ${k}: ${v}`);
    }

    let text: string | null = null;
    if (response.body && method !== 'HEAD' && code !== 204 && code !== 304) {
      text = await readBody(response, maxLength, () => arm(readIdleMs, `the server stayed silent for ${formatMs(readIdleMs)} while sending the body`)).catch(
        (e) => {
          throw requestError(ctx, uri, e, timedOut);
        },
      );
    } else {
      await response.body?.cancel().catch(() => undefined);
    }
    if (logs.has('RESPONSE_BODY') && text !== null) ctx.logger.info(`Response body: ${text}`);

    if (!statusAllowed(code, options, props.allowFailed)) {
      let message = `Failed http request with response code '${code}'`;
      if (text) message += ` and body:\n${text.length > 4096 ? `${text.slice(0, 4096)}…` : text}`;
      throw new Error(message);
    }
    if (props.encryptBody === true || props.encryptBody === 'true') {
      ctx.logger.warn('encryptBody is set but no encryption key is configured locally: the body is stored as plain text');
    }
    return { uri, code, headers: outHeaders, body: text };
  } finally {
    clearTimeout(timer);
    ctx.signal.removeEventListener('abort', onAbort);
  }
}

function statusAllowed(code: number, options: Options, deprecatedAllowFailed: unknown): boolean {
  const allowed = allowedCodes(options.allowedResponseCodes);
  if (allowed.length > 0) return allowed.includes(code);
  const allowFailed = options.allowFailed ?? deprecatedAllowFailed;
  if (allowFailed === true || allowFailed === 'true') return true;
  return code < 400;
}

function allowedCodes(value: unknown): number[] {
  if (value === undefined || value === null || value === '') return [];
  let list: unknown = value;
  if (typeof value === 'string') {
    try {
      list = JSON.parse(value);
    } catch {
      list = value.split(',');
    }
  }
  if (!Array.isArray(list)) list = [list];
  return (list as unknown[]).map((v) => {
    const n = Number(typeof v === 'string' ? v.trim() : v);
    if (!Number.isInteger(n)) throw new Error(`options.allowedResponseCodes must hold status codes, got ${JSON.stringify(v)}`);
    return n;
  });
}

function applyAuth(options: Options, headers: Headers): void {
  const auth = options.auth;
  if (auth) {
    if (auth.type === 'BASIC') {
      headers.set('Authorization', `Basic ${Buffer.from(`${auth.username ?? ''}:${auth.password ?? ''}`).toString('base64')}`);
    } else if (auth.type === 'BEARER') {
      headers.set('Authorization', `Bearer ${auth.token ?? ''}`);
    } else if (auth.type === 'DIGEST') {
      throw new Error('options.auth type DIGEST is not supported yet: use BASIC, BEARER or an Authorization header');
    } else {
      throw new Error(`Unknown options.auth type '${String(auth.type)}': use BASIC or BEARER`);
    }
  } else if (options.basicAuthUser !== undefined) {
    headers.set('Authorization', `Basic ${Buffer.from(`${options.basicAuthUser}:${options.basicAuthPassword ?? ''}`).toString('base64')}`);
  }
}

function warnUnsupported(ctx: TaskContext, props: Props, options: Options): void {
  if (options.proxy || options.proxyAddress) ctx.logger.warn('HTTP proxy settings are not supported yet and are ignored');
  const ssl = (options.ssl ?? props.sslOptions) as Record<string, unknown> | undefined;
  if (ssl && ssl.insecureTrustAllCertificates) ctx.logger.warn('ssl.insecureTrustAllCertificates is not supported yet: certificates are verified');
}

function urlEncoded(formData: Record<string, unknown>): URLSearchParams {
  const params = new URLSearchParams();
  for (const [k, v] of Object.entries(formData)) {
    if (Array.isArray(v)) for (const item of v) params.append(k, textOf(item));
    else params.append(k, textOf(v));
  }
  return params;
}

function multipart(ctx: TaskContext, formData: Record<string, unknown>): FormData {
  const form = new FormData();
  for (const [k, v] of Object.entries(formData)) {
    if (typeof v === 'string' && v.startsWith('kestra://')) {
      form.append(k, new Blob([new Uint8Array(ctx.services.storage.get(v))]), fileNameOf(v));
    } else if (v && typeof v === 'object' && !Array.isArray(v) && 'name' in v && 'content' in v) {
      const { name, content } = v as { name: unknown; content: unknown };
      const data = typeof content === 'string' && content.startsWith('kestra://') ? ctx.services.storage.get(content) : Buffer.from(textOf(content));
      form.append(k, new Blob([new Uint8Array(data)]), textOf(name));
    } else if (typeof v === 'string') {
      form.append(k, v);
    } else {
      form.append(k, JSON.stringify(v));
    }
  }
  return form;
}

const textOf = (v: unknown): string => (v === null || v === undefined ? '' : typeof v === 'object' ? JSON.stringify(v) : String(v));
const fileNameOf = (uri: string): string => decodeURIComponent(uri.split('/').pop() || 'file');

function headersOf(h: Headers): Record<string, string[]> {
  const out: Record<string, string[]> = {};
  h.forEach((value, name) => {
    if (name !== 'set-cookie') out[name] = [value];
  });
  const cookies = typeof h.getSetCookie === 'function' ? h.getSetCookie() : [];
  if (cookies.length) out['set-cookie'] = cookies;
  return out;
}

async function readBody(response: Response, maxLength: number, onProgress: () => void): Promise<string> {
  const reader = response.body!.getReader();
  const chunks: Uint8Array[] = [];
  let total = 0;
  onProgress();
  for (;;) {
    const { done, value } = await reader.read();
    if (done) break;
    onProgress();
    total += value.byteLength;
    if (total > maxLength) {
      await reader.cancel().catch(() => undefined);
      throw new Error(
        `the response body is larger than ${maxLength} bytes; raise options.maxContentLength or use io.kestra.plugin.core.http.Download`,
      );
    }
    chunks.push(value);
  }
  return new TextDecoder('utf-8').decode(Buffer.concat(chunks));
}

function requestError(ctx: TaskContext, uri: string, e: unknown, timedOut: string | undefined): Error {
  if (ctx.signal.aborted) {
    const reason = ctx.signal.reason;
    return reason instanceof Error ? reason : new Error(`HTTP request to ${uri} stopped: ${String(reason ?? 'killed')}`);
  }
  if (timedOut) return new Error(`HTTP request to ${uri} timed out: ${timedOut}`);
  const err = e as Error & { cause?: { code?: string; message?: string } };
  const cause = err.cause;
  const detail = cause ? (cause.code ? `${cause.code}${cause.message ? ` (${cause.message})` : ''}` : cause.message) : err.message;
  return new Error(`HTTP request to ${uri} failed: ${detail ?? String(e)}`);
}

function durationMs(value: unknown, name: string): number | undefined {
  if (value === undefined || value === null || value === '') return undefined;
  const ms = parseDuration(String(value));
  if (ms === undefined || ms < 0) throw new Error(`${name} must be an ISO-8601 duration such as PT30S, got '${String(value)}'`);
  return ms;
}

function formatMs(ms: number): string {
  return ms % 1000 === 0 ? `${ms / 1000} s` : `${ms} ms`;
}
