// The trigger inspector (per flow and global), the event detail and the test-event panel.
import type { Locator, Page } from 'playwright-core';
import { screenshot } from '../helpers/browser';

/** A screenshot without the toasts of earlier steps over it. */
export async function cleanShot(page: Page, name: string): Promise<string> {
  for (const b of await page.locator('.toast-close').all()) await b.click().catch(() => undefined);
  await page.locator('.toast').first().waitFor({ state: 'detached', timeout: 2000 }).catch(() => undefined);
  return screenshot(page, name);
}


export class InspectorPage {
  constructor(readonly page: Page) {}

  /** Goes to a flow's inspector through the address bar's hash (the app is already open). */
  async openFlow(namespace: string, flowId: string, triggerId?: string): Promise<void> {
    const hash = `#/flows/${encodeURIComponent(namespace)}/${encodeURIComponent(flowId)}/triggers${triggerId ? `?trigger=${encodeURIComponent(triggerId)}` : ''}`;
    await this.page.evaluate((h) => (window.location.hash = h), hash);
    await this.page.locator(`[data-testid="inspector"][data-flow="${namespace}/${flowId}"]`).waitFor();
  }

  async openAll(): Promise<void> {
    await this.page.evaluate(() => (window.location.hash = '#/triggers'));
    await this.page.getByTestId('inspector-global').waitFor();
  }

  // — health —
  get health(): Locator {
    return this.page.getByTestId('health');
  }
  /** The selected trigger's state (RUNNING, BACKOFF …). */
  state(): Promise<string | null> {
    return this.health.getAttribute('data-state');
  }
  get lastError(): Locator {
    return this.page.getByTestId('trigger-error');
  }
  get restartButton(): Locator {
    return this.page.getByTestId('trigger-restart');
  }
  async counter(name: 'received' | 'admitted' | 'failed'): Promise<number> {
    return Number((await this.page.getByTestId(`count-${name}`).locator('.counter-value').innerText()).replace(/[^0-9]/g, ''));
  }

  // — the tap —
  get rows(): Locator {
    return this.page.getByTestId('tap-row');
  }
  row(i: number): Locator {
    return this.rows.nth(i);
  }
  /** Events received by the tap since it started listening (for this view's flow). */
  async received(): Promise<number> {
    return Number(await this.page.getByTestId('tap-count').getAttribute('data-received'));
  }
  /** Executions of the captured events: known, and finished. */
  async executions(): Promise<{ known: number; terminal: number; success: number; failed: number }> {
    const el = this.page.getByTestId('tap-executions');
    const n = async (a: string) => Number(await el.getAttribute(`data-${a}`));
    return { known: await n('known'), terminal: await n('terminal'), success: await n('success'), failed: await n('failed') };
  }
  get pauseButton(): Locator {
    return this.page.getByTestId('tap-pause');
  }
  get filter(): Locator {
    return this.page.getByTestId('tap-filter');
  }

  // — the event —
  get detail(): Locator {
    return this.page.getByTestId('event-detail');
  }
  async detailTab(name: 'Payload' | 'Raw' | 'Metadata' | 'trigger.*'): Promise<void> {
    await this.page.locator('.ed-tabs [role="radio"]', { hasText: name }).click();
  }
  get payloadTree(): Locator {
    return this.page.getByTestId('payload-tree');
  }
  get rawPayload(): Locator {
    return this.page.getByTestId('payload-raw');
  }
  get varsTree(): Locator {
    return this.page.getByTestId('vars-tree');
  }
  get replayButton(): Locator {
    return this.page.getByTestId('replay-event');
  }
  get replayResult(): Locator {
    return this.page.getByTestId('replay-result');
  }

  // — test events —
  async openTestPanel(): Promise<void> {
    await this.page.locator('.insp-right-tabs [role="radio"][data-value="test"]').click();
    await this.page.getByTestId('test-event-panel').waitFor();
  }
  get payloadInput(): Locator {
    return this.page.getByTestId('te-payload');
  }
  get keyInput(): Locator {
    return this.page.getByTestId('te-key');
  }
  get countInput(): Locator {
    return this.page.getByTestId('te-count');
  }
  get rateInput(): Locator {
    return this.page.getByTestId('te-rate');
  }
  async addHeader(name: string, value: string): Promise<void> {
    const box = this.page.getByTestId('te-headers');
    await box.getByRole('button', { name: 'Add' }).click();
    await box.getByLabel('Headers name').last().fill(name);
    await box.getByLabel('Headers value').last().fill(value);
  }
  get sendButton(): Locator {
    return this.page.getByTestId('te-send');
  }
  get outcome(): Locator {
    return this.page.getByTestId('te-outcome');
  }
  async saveTemplate(name: string): Promise<void> {
    await this.page.getByTestId('te-template-name').fill(name);
    await this.page.getByTestId('te-save-template').click();
  }
  /** Fills the panel and sends; resolves when the engine answered (the outcome shows). */
  async send(opts: { payload: string; count?: number; key?: string; rate?: string }): Promise<{ ok: boolean; text: string }> {
    await this.payloadInput.fill(opts.payload);
    if (opts.key !== undefined) await this.keyInput.fill(opts.key);
    await this.countInput.fill(String(opts.count ?? 1));
    if (opts.rate !== undefined) await this.rateInput.fill(opts.rate);
    await this.sendButton.click();
    // Sending disables the button until the engine answers.
    await this.page.waitForFunction(() => !document.querySelector('[data-testid="te-send"]')?.hasAttribute('disabled'), undefined, { timeout: 120_000 });
    await this.outcome.waitFor();
    return { ok: (await this.outcome.getAttribute('data-ok')) === 'true', text: await this.outcome.innerText() };
  }
}
