// The desktop shell's hardening and the IPC sender check, asserted on the objects Electron
// receives; the web mode's token check on the WebSocket.
import { describe, expect, it } from 'vitest';
import WebSocket from 'ws';
import { startServer } from '../../../main/api/server';
import { APP_ORIGIN, CONTENT_SECURITY_POLICY, hardenContents, isTrustedSender, secureWindowOptions } from '../../../electron/hardening';
import { startEngine } from '../../helpers/engine';
import { ipcTransport } from './transports';

describe('window hardening', () => {
  it('sets every secure option on every window', () => {
    const { webPreferences } = secureWindowOptions('/app/preload.cjs');
    expect(webPreferences).toMatchObject({
      preload: '/app/preload.cjs', contextIsolation: true, sandbox: true, nodeIntegration: false, nodeIntegrationInWorker: false,
      nodeIntegrationInSubFrames: false, webSecurity: true, allowRunningInsecureContent: false, webviewTag: false,
    });
  });

  it('denies navigation, new windows and permissions, and sets a strict CSP', () => {
    const listeners = new Map<string, (e: { preventDefault(): void }) => void>();
    let openHandler: (d: { url: string }) => { action: string } = () => ({ action: 'allow' });
    let permission: (c: unknown, p: string, cb: (granted: boolean) => void) => void = () => {};
    let check: () => boolean = () => true;
    let headers: (d: any, cb: (r: any) => void) => void = () => {};
    const opened: string[] = [];
    hardenContents(
      {
        on: (event: string, l: any) => listeners.set(event, l),
        setWindowOpenHandler: (h: any) => (openHandler = h),
        session: {
          setPermissionRequestHandler: (h: any) => (permission = h),
          setPermissionCheckHandler: (h: any) => (check = h),
          webRequest: { onHeadersReceived: (l: any) => (headers = l) },
        },
      } as never,
      (url) => opened.push(url),
    );
    for (const event of ['will-navigate', 'will-redirect', 'will-attach-webview']) {
      let prevented = false;
      listeners.get(event)!({ preventDefault: () => (prevented = true) });
      expect(prevented, event).toBe(true);
    }
    expect(openHandler({ url: 'https://kestra.io/docs' })).toEqual({ action: 'deny' });
    expect(openHandler({ url: 'file:///etc/passwd' })).toEqual({ action: 'deny' });
    expect(opened).toEqual(['https://kestra.io/docs']); // handed to the user's browser, not opened in the app
    let granted: boolean | undefined;
    permission(null, 'media', (g) => (granted = g));
    expect(granted).toBe(false);
    expect(check()).toBe(false);
    let response: any;
    headers({ responseHeaders: { 'x-a': ['1'] } }, (r) => (response = r));
    expect(response.responseHeaders['Content-Security-Policy']).toEqual([CONTENT_SECURITY_POLICY]);
    expect(CONTENT_SECURITY_POLICY).toMatch(/default-src 'self'/);
    expect(CONTENT_SECURITY_POLICY).not.toMatch(/unsafe-eval/);
  });

  it("trusts only frames of the app's own origin", () => {
    expect(isTrustedSender({ url: `${APP_ORIGIN}/index.html` })).toBe(true);
    for (const url of ['https://evil.example/', 'app://peregrine.evil/x', 'file:///index.html', 'http://127.0.0.1:8080/', 'not a url']) {
      expect(isTrustedSender({ url }), url).toBe(false);
    }
    expect(isTrustedSender(null)).toBe(false);
  });
});

describe('IPC from another origin', () => {
  it('gets no port, so no command ever runs', async () => {
    const engine = await startEngine([]);
    const t = ipcTransport(engine, 'https://evil.example/');
    const result = await Promise.race([t.bridge.call('secrets.list', {}), new Promise((r) => setTimeout(() => r('no answer'), 300))]);
    expect(result).toBe('no answer');
    await t.close();
    await engine.close();
  });
});

describe('web mode WebSocket', () => {
  it('refuses the upgrade without the right token', async () => {
    const engine = await startEngine([]);
    const server = await startServer({ engine, port: 0, token: 'right' });
    for (const q of ['', '?token=wrong']) {
      const status = await new Promise<number>((resolve) => {
        const ws = new WebSocket(`ws://127.0.0.1:${server.port}/api/ws${q}`);
        ws.on('unexpected-response', (_req, res) => resolve(res.statusCode ?? 0));
        ws.on('error', () => resolve(-1));
        ws.on('open', () => resolve(101));
      });
      expect(status === 401 || status === -1, `token "${q}" gave ${status}`).toBe(true);
    }
    const ok = await new Promise<boolean>((resolve) => {
      const ws = new WebSocket(`ws://127.0.0.1:${server.port}/api/ws?token=right`);
      ws.on('open', () => { ws.close(); resolve(true); });
      ws.on('error', () => resolve(false));
    });
    expect(ok).toBe(true);
    await server.close();
    await engine.close();
  });
});
