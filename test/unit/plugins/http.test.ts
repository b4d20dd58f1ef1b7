import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { request } from '../../../main/plugins/http/request';
import { cleanupTestContexts, createTestContext, prepareProps, runTask } from './context';

interface Seen { method: string; url: string; headers: http.IncomingHttpHeaders; body: string }

let server: http.Server;
let base: string;
const seen: Seen[] = [];

beforeAll(async () => {
  server = http.createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c) => chunks.push(c));
    req.on('end', () => {
      const body = Buffer.concat(chunks).toString('utf8');
      seen.push({ method: req.method!, url: req.url!, headers: req.headers, body });
      const url = new URL(req.url!, 'http://x');
      switch (url.pathname) {
        case '/json':
          res.writeHead(200, { 'Content-Type': 'application/json', 'X-Request-Id': 'r-1', 'Set-Cookie': ['a=1', 'b=2'] });
          res.end(JSON.stringify({ ok: true, q: url.searchParams.get('q') }));
          return;
        case '/echo':
          res.writeHead(201, { 'Content-Type': 'text/plain' });
          res.end(`${req.method} ${req.headers['content-type'] ?? '-'} ${body}`);
          return;
        case '/missing':
          res.writeHead(404, { 'Content-Type': 'text/plain' });
          res.end('no such order');
          return;
        case '/empty':
          res.writeHead(204);
          res.end();
          return;
        case '/redirect':
          res.writeHead(302, { Location: '/json?q=redirected' });
          res.end();
          return;
        case '/slow':
          setTimeout(() => {
            res.writeHead(200);
            res.end('late');
          }, 2000);
          return;
        case '/big':
          res.writeHead(200, { 'Content-Type': 'text/plain' });
          res.end('x'.repeat(5000));
          return;
        case '/utf8':
          res.writeHead(200, { 'Content-Type': 'text/plain; charset=utf-8' });
          res.end('héllo → wörld ✓');
          return;
        default:
          res.writeHead(500);
          res.end('boom');
      }
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
});

afterAll(async () => {
  server.closeAllConnections();
  await new Promise<void>((resolve) => server.close(() => resolve()));
  cleanupTestContexts();
});

const last = () => seen[seen.length - 1];

describe('HTTP Request', () => {
  it('GETs and returns status, headers and the body as text', async () => {
    const { outputs } = await runTask(request, { uri: `${base}/json?q={{ inputs.q }}` }, { variables: { inputs: { q: 'orders' } } });
    expect(outputs!.code).toBe(200);
    expect(outputs!.body).toBe('{"ok":true,"q":"orders"}');
    expect(outputs!.uri).toBe(`${base}/json?q=orders`);
    const headers = outputs!.headers as Record<string, string[]>;
    expect(headers['content-type']).toEqual(['application/json']);
    expect(headers['x-request-id']).toEqual(['r-1']);
    expect(headers['set-cookie']).toEqual(['a=1', 'b=2']);
    // As Kestra: the default content type is sent even without a body.
    expect(last().method).toBe('GET');
    expect(last().headers['content-type']).toBe('application/json');
  });

  it('POSTs a body with its content type and custom headers', async () => {
    const { outputs } = await runTask(request, {
      uri: `${base}/echo`,
      method: 'POST',
      contentType: 'application/json',
      body: '{{ trigger.value }}',
      headers: { 'X-Api-Key': '{{ secret("KEY") }}', 'User-Agent': 'peregrine-test' },
    }, { variables: { trigger: { value: '{"id":1}' } }, secrets: { KEY: 's3cret' } });
    expect(outputs!.code).toBe(201);
    expect(outputs!.body).toBe('POST application/json; charset=UTF-8 {"id":1}');
    expect(last().headers['user-agent']).toBe('peregrine-test');
  });

  it('sends a YAML map body as JSON', async () => {
    await runTask(request, { uri: `${base}/echo`, method: 'PUT', body: { a: 1, b: ['x'] } });
    expect(last().body).toBe('{"a":1,"b":["x"]}');
  });

  it('sends URL-encoded and multipart form data (files from internal storage)', async () => {
    await runTask(request, { uri: `${base}/echo`, method: 'POST', formData: { user: 'John Doe', n: 2 } });
    expect(last().headers['content-type']).toMatch(/^application\/x-www-form-urlencoded/);
    expect(last().body).toBe('user=John+Doe&n=2');

    const t = createTestContext();
    const uri = t.storage.put('report.csv', 'a,b\n1,2\n');
    const props = prepareProps(request, { uri: `${base}/echo`, method: 'POST', contentType: 'multipart/form-data', formData: { user: 'Ada', file: uri, renamed: { name: 'data.csv', content: uri } } }, t.ctx);
    await request.run!(t.ctx, props);
    expect(last().headers['content-type']).toMatch(/^multipart\/form-data; boundary=/);
    expect(last().body).toContain('name="user"\r\n\r\nAda');
    expect(last().body).toContain('filename="report.csv"');
    expect(last().body).toContain('filename="data.csv"');
    expect(last().body).toContain('a,b\n1,2\n');
  });

  it('fails on a status of 400 or more, with the code and body', async () => {
    await expect(runTask(request, { uri: `${base}/missing` })).rejects.toThrow("Failed http request with response code '404' and body:\nno such order");
    await expect(runTask(request, { uri: `${base}/oops` })).rejects.toThrow("response code '500'");
  });

  it('accepts failed codes with options.allowFailed, the deprecated allowFailed, or allowedResponseCodes', async () => {
    expect((await runTask(request, { uri: `${base}/missing`, options: { allowFailed: true } })).outputs!.code).toBe(404);
    expect((await runTask(request, { uri: `${base}/missing`, allowFailed: true })).outputs!.code).toBe(404);
    expect((await runTask(request, { uri: `${base}/missing`, options: { allowedResponseCodes: [200, 404] } })).outputs!.code).toBe(404);
    // allowedResponseCodes is exclusive: a 200 outside the list fails.
    await expect(runTask(request, { uri: `${base}/json`, options: { allowedResponseCodes: [404] } })).rejects.toThrow("response code '200'");
  });

  it('returns a null body for 204 and decodes UTF-8', async () => {
    expect((await runTask(request, { uri: `${base}/empty`, method: 'DELETE' })).outputs).toMatchObject({ code: 204, body: null });
    expect((await runTask(request, { uri: `${base}/utf8` })).outputs!.body).toBe('héllo → wörld ✓');
  });

  it('follows redirects unless told not to', async () => {
    expect((await runTask(request, { uri: `${base}/redirect` })).outputs).toMatchObject({ code: 200, body: '{"ok":true,"q":"redirected"}' });
    const manual = await runTask(request, { uri: `${base}/redirect`, options: { followRedirects: false } });
    expect(manual.outputs).toMatchObject({ code: 302 });
    expect((manual.outputs!.headers as Record<string, string[]>).location).toEqual(['/json?q=redirected']);
  });

  it('sends basic and bearer authentication', async () => {
    await runTask(request, { uri: `${base}/json`, options: { auth: { type: 'BASIC', username: 'admin', password: 'pw' } } });
    expect(last().headers.authorization).toBe(`Basic ${Buffer.from('admin:pw').toString('base64')}`);
    await runTask(request, { uri: `${base}/json`, options: { auth: { type: 'BEARER', token: 'tok' } } });
    expect(last().headers.authorization).toBe('Bearer tok');
    await runTask(request, { uri: `${base}/json`, options: { basicAuthUser: 'old', basicAuthPassword: 'style' } });
    expect(last().headers.authorization).toBe(`Basic ${Buffer.from('old:style').toString('base64')}`);
  });

  it('times out on a silent server and stops when the task is killed', async () => {
    const started = Date.now();
    await expect(runTask(request, { uri: `${base}/slow`, options: { timeout: { readIdleTimeout: 'PT0.2S' } } })).rejects.toThrow(/timed out/);
    expect(Date.now() - started).toBeLessThan(1500);

    const controller = new AbortController();
    setTimeout(() => controller.abort(new Error('Task killed')), 100);
    await expect(runTask(request, { uri: `${base}/slow` }, { controller })).rejects.toThrow('Task killed');
  });

  it('limits the response size and explains connection errors', async () => {
    await expect(runTask(request, { uri: `${base}/big`, options: { maxContentLength: 1000 } })).rejects.toThrow(/larger than 1000 bytes/);
    const closed = http.createServer();
    await new Promise<void>((resolve) => closed.listen(0, '127.0.0.1', resolve));
    const port = (closed.address() as AddressInfo).port;
    await new Promise<void>((resolve) => closed.close(() => resolve()));
    await expect(runTask(request, { uri: `http://127.0.0.1:${port}/nothing` })).rejects.toThrow(
      `HTTP request to http://127.0.0.1:${port}/nothing failed: ECONNREFUSED`,
    );
    await expect(runTask(request, { uri: 'not a url' })).rejects.toThrow(/Invalid uri/);
  });

  it('logs request and response details when options.logs asks for them', async () => {
    const { t } = await runTask(request, { uri: `${base}/echo`, method: 'POST', body: 'hi', options: { logs: ['REQUEST_BODY', 'RESPONSE_HEADERS', 'RESPONSE_BODY'] } });
    expect(t.messages('INFO')).toContain('Request body: hi');
    expect(t.messages('INFO')).toContain('Response header content-type: text/plain');
    expect(t.messages('INFO')).toContain('Response body: POST application/json; charset=UTF-8 hi');
  });
});
