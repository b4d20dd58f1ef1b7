// The app shell: opening with the token URL, the workspace sidebar, theme, command palette.
import type { Page } from 'playwright-core';
import type { ServerProcess } from '../../helpers/server-process';
import type { PageGlobals } from '../helpers/page-globals';

export class AppPage {
  constructor(readonly page: Page, readonly server: ServerProcess) {}

  /** Opens the address `peregrine server` prints (`/?token=…`) and waits for the app to be ready. */
  async open(hash = ''): Promise<void> {
    await this.page.goto(`${this.server.url}/?token=${encodeURIComponent(this.server.token)}${hash}`);
    await this.ready();
  }

  async ready(): Promise<void> {
    await this.page.waitForSelector('body[data-app-state="ready"]', { timeout: 30_000 });
  }

  appState(): Promise<string | undefined> {
    return this.page.evaluate(() => (globalThis as unknown as PageGlobals).document.body.dataset.appState);
  }

  get newFlowButton() {
    return this.page.getByTestId('new-flow');
  }

  sampleMenuItem(id: string) {
    return this.page.locator(`.new-flow [data-sample="${id}"]`);
  }

  flowInSidebar(namespace: string, id: string) {
    return this.page.locator(`[data-flow="${namespace}/${id}"]`);
  }

  get workspaceProblems() {
    return this.page.getByTestId('workspace-problems');
  }

  get themeToggle() {
    return this.page.getByTestId('theme-toggle');
  }

  theme(): Promise<string | undefined> {
    return this.page.evaluate(() => (globalThis as unknown as PageGlobals).document.documentElement.dataset.theme);
  }

  async newFlowFromSample(id: string): Promise<void> {
    await this.newFlowButton.click();
    await this.sampleMenuItem(id).click();
    await this.page.getByTestId('editor').waitFor();
  }

  async commandPalette(command: string): Promise<void> {
    await this.page.keyboard.press('Control+Shift+P');
    await this.page.getByRole('dialog', { name: 'Command palette' }).waitFor();
    await this.page.keyboard.type(command);
    await this.page.keyboard.press('Enter');
  }

  async dismissToasts(): Promise<void> {
    for (const close of await this.page.locator('.toast-close').all()) await close.click().catch(() => undefined);
  }

  toast(kind: 'success' | 'error' | 'info') {
    return this.page.locator(`.toast[data-kind="${kind}"]`);
  }
}
