// The shell on its own: it follows the OS theme, and without the token it says what to do.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { haveChromium, screenshot, startSession, type AppSession } from './helpers/browser';
import type { PageGlobals } from './helpers/page-globals';
import { AppPage } from './pages/app';

describe.skipIf(!haveChromium())('the shell', () => {
  let s: AppSession;

  beforeAll(async () => {
    s = await startSession({ colorScheme: 'dark' });
  });

  afterAll(async () => {
    await s?.close();
  });

  it('follows a dark OS theme, and the toggle remembers the choice', async () => {
    const app = new AppPage(s.page, s.server);
    await app.open();
    expect(await app.theme()).toBe('dark');
    await screenshot(s.page, 'welcome-dark');
    await app.themeToggle.click();
    expect(await app.theme()).toBe('light');
    await s.page.reload();
    await app.ready();
    expect(await app.theme()).toBe('light');
    // Back to following the OS.
    await app.commandPalette('follow the system');
    expect(await app.theme()).toBe('dark');
  });

  it('without the token, the page says where to get it', async () => {
    const page = await s.context.newPage();
    await page.goto(`${s.server.url}/`);
    await page.evaluate(() => (globalThis as unknown as PageGlobals).sessionStorage.clear());
    await page.reload();
    await page.waitForSelector('body[data-app-state="error"]');
    expect(await page.getByRole('alert').innerText()).toMatch(/token/);
    await page.close();
  });
});
