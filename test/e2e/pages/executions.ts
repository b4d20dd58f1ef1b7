// The executions list, the execution page (Gantt, logs, outputs, trigger, topology), the overview
// and the first-run offer.
import type { Locator, Page } from 'playwright-core';

export class ExecutionsPage {
  constructor(readonly page: Page) {}

  async openList(query = ''): Promise<void> {
    await this.page.evaluate((h) => (window.location.hash = h), `#/executions${query}`);
    await this.page.getByTestId('executions').waitFor();
  }
  get rows(): Locator {
    return this.page.getByTestId('ex-row');
  }
  rowOf(id: string): Locator {
    return this.page.locator(`[data-testid="ex-row"][data-id="${id}"]`);
  }
  async total(): Promise<number> {
    return Number(await this.page.getByTestId('ex-total').getAttribute('data-total'));
  }
  async shown(): Promise<number> {
    return Number(await this.page.getByTestId('ex-total').getAttribute('data-shown'));
  }
  async toggleState(state: string): Promise<void> {
    await this.page.locator(`.ex-state-chip[data-state="${state}"]`).click();
  }
  async select(id: string): Promise<void> {
    await this.rowOf(id).locator('input[type="checkbox"]').check();
  }
  bulk(action: 'kill' | 'replay' | 'delete'): Locator {
    return this.page.getByTestId(`ex-bulk-${action}`);
  }

  // — the execution page —
  async open(id: string): Promise<void> {
    await this.page.evaluate((h) => (window.location.hash = h), `#/executions/${encodeURIComponent(id)}`);
    await this.page.locator(`[data-testid="execution"]`).waitFor();
    await this.page.locator('[data-testid="execution-id"]', { hasText: id }).waitFor();
  }
  get execution(): Locator {
    return this.page.getByTestId('execution');
  }
  state(): Promise<string | null> {
    return this.execution.getAttribute('data-state');
  }
  revision(): Promise<string | null> {
    return this.execution.getAttribute('data-revision');
  }
  async tab(name: 'Gantt' | 'Logs' | 'Outputs' | 'Trigger' | 'Topology'): Promise<void> {
    await this.page.locator('.tabs-line [role="radio"]', { hasText: name }).click();
  }
  get gantt(): Locator {
    return this.page.getByTestId('gantt');
  }
  ganttRow(taskId: string): Locator {
    return this.page.locator(`[data-testid="gantt-row"][data-task="${taskId}"]`);
  }
  get taskRunDetail(): Locator {
    return this.page.getByTestId('taskrun-detail');
  }
  get logLines(): Locator {
    return this.page.getByTestId('log-line');
  }
  async logLevel(level: 'TRACE' | 'DEBUG' | 'INFO' | 'WARN' | 'ERROR'): Promise<void> {
    await this.page.locator('.logs-bar [role="radio"]', { hasText: level }).first().click();
  }
  get storageFiles(): Locator {
    return this.page.getByTestId('storage-file');
  }
  get topology(): Locator {
    return this.page.getByTestId('topology');
  }

  // — overview and first run —
  async openOverview(): Promise<void> {
    await this.page.evaluate(() => (window.location.hash = '#/overview'));
    await this.page.getByTestId('overview').waitFor();
  }
  get firstRun(): Locator {
    return this.page.getByTestId('first-run');
  }
}
