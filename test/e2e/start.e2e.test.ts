// `npm start` on a machine without Electron's binary (this one): one line says so, and the same
// UI is served in web mode; the page opened with the printed URL becomes ready in Chromium, and
// the getting-started flows fire from the embedded MQTT broker.
import { spawn, type ChildProcess } from 'node:child_process';
import path from 'node:path';
import { afterAll, expect, it } from 'vitest';
import { eventually, tempDir } from '../helpers/server-process';
import { haveChromium, launch, ROOT } from './helpers/browser';

let child: ChildProcess | undefined;
afterAll(() => {
  child?.kill('SIGTERM');
});

it.skipIf(!haveChromium())('npm start prints the fallback line and serves a working UI', async () => {
  const dataDir = tempDir('start');
  child = spawn(process.execPath, [path.join(ROOT, 'scripts/start.mjs'), '--port', '0', '--mqtt-port', '0', '--data-dir', dataDir], { cwd: ROOT });
  let out = '';
  child.stdout!.on('data', (d) => (out += d));
  child.stderr!.on('data', (d) => (out += d));
  const login = await eventually(() => /open (http:\/\/127\.0\.0\.1:\d+\/\?token=\S+)/.exec(out)?.[1], 30_000, 'the login URL');
  expect(out.split('\n')[0]).toBe('peregrine: Electron is not available on this machine: serving the same UI in web mode instead.');
  expect(out).toMatch(/embedded MQTT broker on mqtt:\/\/127\.0\.0\.1:\d+/);
  const browser = await launch();
  try {
    const page = await browser.newPage();
    await page.goto(login);
    await page.waitForSelector('body[data-app-state="ready"]', { timeout: 30_000 });
    expect(new URL(page.url()).searchParams.get('token')).toBeNull(); // the token leaves the address bar
    await page.screenshot({ path: path.join(ROOT, 'test-results/screenshots/npm-start.png') });
  } finally {
    await browser.close();
  }
  const base = login.slice(0, login.indexOf('/?'));
  const token = new URL(login).searchParams.get('token')!;
  const alerts = await eventually(async () => {
    const res = await fetch(`${base}/api/v1/executions/search?flowId=sensor-alerts&state=SUCCESS`, { headers: { authorization: `Bearer ${token}` } });
    const body = (await res.json()) as { total: number };
    return body.total > 0 ? body : undefined;
  }, 30_000, 'a real-time execution from the embedded broker');
  expect(alerts.total).toBeGreaterThan(0);
});
