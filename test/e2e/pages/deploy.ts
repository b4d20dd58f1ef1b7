// "Deploy to Kestra" / "Pull from Kestra": the dialog, its report, and the ways to open it (the
// workspace sidebar's buttons and right-click menus, the editor's toolbar).
import type { Locator, Page } from 'playwright-core';

export class DeployPage {
  constructor(readonly page: Page) {}

  // — where it opens from —
  /** The sidebar header's Kestra menu: deploy every flow, or pull. */
  async fromWorkspaceMenu(action: 'deploy-all' | 'pull'): Promise<void> {
    await this.page.getByTestId('kestra-menu').click();
    await this.page.locator(`[data-testid="context-menu"] [data-action="${action}"]`).click();
  }
  get toolbarDeploy() {
    return this.page.getByTestId('deploy');
  }
  /** The namespace row's own deploy button (shown on hover). */
  async deployNamespace(namespace: string): Promise<void> {
    const row = this.page.locator('.ns-row', { has: this.page.locator(`[data-namespace="${namespace}"]`) });
    await row.hover();
    await row.getByTestId('deploy-namespace').click();
  }
  /** Right-clicks a sidebar entry and picks an entry of its menu. */
  async contextMenu(target: Locator, action: 'open' | 'deploy' | 'pull', whileOpen?: () => Promise<void>): Promise<void> {
    await target.click({ button: 'right' });
    await this.page.getByTestId('context-menu').waitFor();
    await whileOpen?.();
    await this.page.locator(`[data-testid="context-menu"] [data-action="${action}"]`).click();
  }
  problem(file: string): Locator {
    return this.page.locator(`[data-testid="workspace-problems"] [data-file$="${file}"]`);
  }

  // — the dialog —
  get dialog() {
    return this.page.getByTestId('deploy-dialog');
  }
  get target() {
    return this.page.getByTestId('deploy-target');
  }
  get server() {
    return this.dialog.getByLabel('Server URL');
  }
  get user() {
    return this.dialog.getByLabel('User', { exact: true });
  }
  get password() {
    return this.dialog.getByLabel('Password');
  }
  get tenant() {
    return this.dialog.getByLabel('Tenant');
  }
  get namespace() {
    return this.dialog.locator('#kestra-namespace');
  }
  get dryRun() {
    return this.page.getByTestId('deploy-dry-run');
  }
  auth(mode: 'none' | 'basic' | 'token'): Locator {
    return this.dialog.locator(`[role="radiogroup"][aria-label="Authentication"] [data-value="${mode}"]`);
  }
  get submit() {
    return this.page.getByTestId('deploy-submit');
  }
  get report() {
    return this.dialog.locator('[data-testid="deploy-report"], [data-testid="pull-report"]');
  }
  get summary() {
    return this.page.getByTestId('deploy-summary');
  }
  get error() {
    return this.page.getByTestId('deploy-error');
  }
  /** The report's row for a flow (`namespace/id`). */
  result(flow: string): Locator {
    return this.dialog.locator(`.deploy-result[data-flow="${flow}"]`);
  }
  async close(): Promise<void> {
    await this.dialog.getByRole('button', { name: 'Close' }).first().click();
    await this.dialog.waitFor({ state: 'detached' });
  }
  /** Submits, and waits for the outcome (a report or an error). */
  async run(): Promise<void> {
    await this.submit.click();
    await this.dialog.locator('[data-testid="deploy-report"], [data-testid="pull-report"], [data-testid="deploy-error"]').first().waitFor();
  }
}
