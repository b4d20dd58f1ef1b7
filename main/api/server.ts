// Web mode: the engine's HTTP server on 127.0.0.1, guarded by a token (printed in the URL, like a
// notebook server). Webhooks are public and authenticated by their key, as in Kestra.
import crypto from 'node:crypto';
import fs from 'node:fs';
import http from 'node:http';
import path from 'node:path';
import type { AddressInfo } from 'node:net';
import type { Engine } from '../runtime/engine';
import { createApi, type EngineApi } from './index';
import { metricsRoutes } from './metrics';
import { kestraRoutes, safeEqual } from './rest';
import { attachWebSocket } from './ws';
import { HttpError, type ApiRequest, type ApiResponse, type Router } from './router';

export interface ServerOptions {
  engine: Engine;
  host?: string;
  port?: number;
  /** Generated when absent. */
  token?: string;
  /** The built renderer, served at / (web mode UI). */
  staticDir?: string;
  maxBodyBytes?: number;
  extraRoutes?: Router[];
  /** The contract served over the WebSocket; created from the engine when absent. */
  api?: EngineApi;
}

export interface RunningServer {
  url: string;
  /** The URL with the token, to open in a browser. */
  loginUrl: string;
  token: string;
  port: number;
  server: http.Server;
  api: EngineApi;
  close(): Promise<void>;
}

export async function startServer(opts: ServerOptions): Promise<RunningServer> {
  const host = opts.host ?? '127.0.0.1';
  const token = opts.token ?? crypto.randomBytes(24).toString('base64url');
  const routers = [kestraRoutes(opts.engine), metricsRoutes(opts.engine), ...(opts.extraRoutes ?? [])];
  const maxBody = opts.maxBodyBytes ?? 10 * 1024 * 1024;

  const server = http.createServer((req, res) => {
    handle(req, res).catch((e) => send(res, errorResponse(e)));
  });
  server.keepAliveTimeout = 65_000;
  const api = opts.api ?? createApi(opts.engine);
  const wss = attachWebSocket(server, api, token);

  async function handle(req: http.IncomingMessage, res: http.ServerResponse): Promise<void> {
    const url = new URL(req.url ?? '/', 'http://localhost');
    const method = req.method ?? 'GET';
    let found: ReturnType<Router['match']>;
    for (const r of routers) {
      found = r.match(method, url.pathname);
      if (found && 'route' in found) break;
    }
    if (!found || !('route' in found)) {
      if (method === 'GET' && opts.staticDir && !url.pathname.startsWith('/api/')) {
        // The UI itself: the page asks for the token once and keeps it.
        return serveStatic(opts.staticDir, url.pathname, res);
      }
      if (found && 'allowed' in found) return send(res, { status: 405, body: { message: `use ${found.allowed.join(' or ')}` }, headers: { allow: found.allowed.join(', ') } });
      return send(res, { status: 404, body: { message: `no route for ${method} ${url.pathname}` } });
    }
    if (!found.route.public && !authorized(req, url, token)) {
      return send(res, { status: 401, body: { message: 'missing or wrong token: use the URL printed by `peregrine server`, or send Authorization: Bearer <token>' } });
    }
    const body = await readBody(req, maxBody);
    const apiReq: ApiRequest = { method, path: url.pathname, params: found.params, query: url.searchParams, headers: req.headers, body, raw: req };
    send(res, await found.route.handler(apiReq));
  }

  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(opts.port ?? 8080, host, () => resolve());
  });
  const port = (server.address() as AddressInfo).port;
  const shownHost = host.includes(':') ? `[${host}]` : host;
  const url = `http://${shownHost}:${port}`;
  return {
    url,
    loginUrl: `${url}/?token=${token}`,
    token,
    port,
    server,
    api,
    close: () =>
      new Promise<void>((resolve) => {
        for (const client of wss.clients) client.terminate();
        wss.close();
        if (!opts.api) api.close();
        server.close(() => resolve());
        server.closeAllConnections();
      }),
  };
}

function authorized(req: http.IncomingMessage, url: URL, token: string): boolean {
  const header = req.headers.authorization;
  const given = header?.startsWith('Bearer ') ? header.slice(7) : url.searchParams.get('token') ?? cookie(req, 'peregrine_token');
  return given !== undefined && given !== null && safeEqual(given, token);
}

function cookie(req: http.IncomingMessage, name: string): string | undefined {
  for (const part of (req.headers.cookie ?? '').split(';')) {
    const [k, ...v] = part.trim().split('=');
    if (k === name) return decodeURIComponent(v.join('='));
  }
  return undefined;
}

function readBody(req: http.IncomingMessage, max: number): Promise<Buffer> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    let size = 0;
    req.on('data', (c: Buffer) => {
      size += c.length;
      if (size > max) {
        reject(new HttpError(413, `request body larger than ${max} bytes`));
        req.destroy();
        return;
      }
      chunks.push(c);
    });
    req.on('end', () => resolve(chunks.length === 1 ? chunks[0] : Buffer.concat(chunks)));
    req.on('error', reject);
  });
}

function send(res: http.ServerResponse, r: ApiResponse): void {
  if (res.headersSent) return;
  const headers: Record<string, string> = { ...(r.headers ?? {}) };
  let payload: string | undefined;
  if (r.text !== undefined) {
    payload = r.text;
    headers['content-type'] = r.contentType ?? 'text/plain; charset=utf-8';
  } else if (r.body !== undefined) {
    payload = JSON.stringify(r.body);
    headers['content-type'] = 'application/json';
  }
  res.writeHead(r.status, headers);
  res.end(payload);
}

function errorResponse(e: unknown): ApiResponse {
  if (e instanceof HttpError) return { status: e.status, body: { message: e.message, ...(e.details ? { details: e.details } : {}) } };
  const status = (e as { status?: number }).status;
  if (typeof status === 'number') return { status, body: { message: (e as Error).message } };
  if (e instanceof SyntaxError) return { status: 400, body: { message: `invalid JSON: ${e.message}` } };
  return { status: 500, body: { message: `internal error: ${(e as Error)?.message ?? String(e)}` } };
}

const MIME: Record<string, string> = {
  '.html': 'text/html; charset=utf-8', '.js': 'text/javascript', '.css': 'text/css', '.svg': 'image/svg+xml',
  '.png': 'image/png', '.json': 'application/json', '.woff2': 'font/woff2', '.ttf': 'font/ttf', '.map': 'application/json',
};

function serveStatic(root: string, pathname: string, res: http.ServerResponse): void {
  const rel = path.normalize(decodeURIComponent(pathname)).replace(/^([/\\])+/, '');
  let file = path.resolve(root, rel);
  if (!file.startsWith(path.resolve(root))) return send(res, { status: 403, body: { message: 'forbidden' } });
  if (!fs.existsSync(file) || fs.statSync(file).isDirectory()) file = path.join(root, 'index.html');
  if (!fs.existsSync(file)) return send(res, { status: 404, body: { message: 'the UI is not built: run npm run build' } });
  res.writeHead(200, { 'content-type': MIME[path.extname(file)] ?? 'application/octet-stream' });
  fs.createReadStream(file).pipe(res);
}
