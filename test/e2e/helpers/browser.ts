// Real Chromium (Debian's package) driven by playwright-core, one browser per test file, against a
// real `peregrine server` with its own port and data folder.
import fs from 'node:fs';
import path from 'node:path';
import { chromium, type Browser, type BrowserContext, type Page } from 'playwright-core';
import { startServerProcess, tempDir, type ServerProcess } from '../../helpers/server-process';

export const ROOT = path.resolve(import.meta.dirname, '../../..');
export const SCREENSHOTS = path.join(ROOT, 'test-results/screenshots');
export const CHROMIUM = process.env.PEREGRINE_CHROMIUM ?? '/usr/bin/chromium';

/** Whether the browser exists; without it the suites skip (and fail when PEREGRINE_REQUIRE_BROWSER=1). */
export function haveChromium(): boolean {
  const ok = fs.existsSync(CHROMIUM);
  if (!ok) {
    const msg = `e2e: no Chromium at ${CHROMIUM} (apt-get install -y chromium, or set PEREGRINE_CHROMIUM)`;
    if (process.env.PEREGRINE_REQUIRE_BROWSER === '1') throw new Error(msg);
    console.warn(`${msg}: skipping`);
  }
  return ok;
}

export async function launch(): Promise<Browser> {
  return chromium.launch({
    executablePath: CHROMIUM,
    args: ['--headless', '--no-sandbox', '--disable-gpu', '--disable-background-networking'],
  });
}

export interface AppSession {
  server: ServerProcess;
  browser: Browser;
  context: BrowserContext;
  page: Page;
  /** Console errors and page errors seen so far. */
  errors: string[];
  close(): Promise<void>;
}

export async function startSession(opts: { flows?: Record<string, string>; colorScheme?: 'light' | 'dark'; viewport?: { width: number; height: number } } = {}): Promise<AppSession> {
  // The flows are in place before the engine starts (it loads the folder at start).
  const dataDir = tempDir('e2e');
  for (const [rel, text] of Object.entries(opts.flows ?? {})) {
    const file = path.join(dataDir, 'flows', rel);
    fs.mkdirSync(path.dirname(file), { recursive: true });
    fs.writeFileSync(file, text);
  }
  const server = await startServerProcess({ dataDir, token: `e2e-${Math.random().toString(36).slice(2)}` });
  const browser = await launch();
  const context = await browser.newContext({ viewport: opts.viewport ?? { width: 1440, height: 900 }, colorScheme: opts.colorScheme ?? 'light' });
  const page = await context.newPage();
  const errors: string[] = [];
  page.on('console', (m) => {
    if (m.type() === 'error') errors.push(m.text());
  });
  page.on('pageerror', (e) => errors.push(String(e)));
  return {
    server,
    browser,
    context,
    page,
    errors,
    async close() {
      await browser.close().catch(() => undefined);
      await server.kill();
    },
  };
}

export async function screenshot(page: Page, name: string): Promise<string> {
  fs.mkdirSync(SCREENSHOTS, { recursive: true });
  const file = path.join(SCREENSHOTS, `${name}.png`);
  await page.screenshot({ path: file });
  return file;
}

/** Every file under a folder (for "the file on disk changed"). */
export function filesUnder(dir: string): string[] {
  if (!fs.existsSync(dir)) return [];
  return fs.readdirSync(dir, { withFileTypes: true }).flatMap((d) => (d.isDirectory() ? filesUnder(path.join(dir, d.name)) : [path.join(dir, d.name)]));
}
