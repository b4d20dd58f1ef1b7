// The flow editor: YAML (Monaco), graph (React Flow), palette, properties, problems, run dialog.
import type { Locator, Page } from 'playwright-core';
import type { PageGlobals } from '../helpers/page-globals';

type MonacoLike = { getValue(): string; setValue(v: string): void; getModel(): { getLineCount(): number } };

export class EditorPage {
  constructor(readonly page: Page) {}

  // — toolbar —
  view(mode: 'yaml' | 'split' | 'graph'): Promise<void> {
    return this.page.locator(`.toolbar [data-value="${mode}"]`).click();
  }
  get saveButton() {
    return this.page.getByTestId('save');
  }
  get runButton() {
    return this.page.getByTestId('run');
  }
  get undoButton() {
    return this.page.getByTestId('undo');
  }
  get dirtyMark() {
    return this.page.getByTestId('dirty');
  }
  get flowId() {
    return this.page.getByTestId('flow-id');
  }

  // — YAML —
  get yaml() {
    return this.page.getByTestId('yaml');
  }
  async waitForYamlEditor(): Promise<void> {
    await this.page.locator('[data-testid="yaml"][data-editor-state="ready"] .monaco-editor').waitFor();
  }
  /** The editor's text (read through Monaco's own API). */
  yamlText(): Promise<string> {
    return this.page.evaluate(() => ((globalThis as unknown as PageGlobals).__peregrineEditor as MonacoLike).getValue());
  }
  /** Puts the cursor at a line's end and types there, like a person. */
  async typeAtEndOfLine(line: number, text: string): Promise<void> {
    await this.page.evaluate((l) => {
      const ed = (globalThis as unknown as PageGlobals).__peregrineEditor as { focus(): void; setPosition(p: object): void; getModel(): { getLineMaxColumn(n: number): number } };
      ed.focus();
      ed.setPosition({ lineNumber: l, column: ed.getModel().getLineMaxColumn(l) });
    }, line);
    await this.page.keyboard.type(text);
  }
  /** Selects a text in the editor (first occurrence) and types over it. */
  async replaceInYaml(find: string, replacement: string): Promise<void> {
    await this.page.evaluate((f) => {
      const ed = (globalThis as unknown as PageGlobals).__peregrineEditor as { focus(): void; getModel(): { findMatches(s: string, a: boolean, b: boolean, c: boolean, d: null, e: boolean): { range: object }[] }; setSelection(r: object): void };
      const m = ed.getModel().findMatches(f, false, false, true, null, false)[0];
      if (!m) throw new Error(`"${f}" is not in the YAML`);
      ed.focus();
      ed.setSelection(m.range);
    }, find);
    await this.page.keyboard.type(replacement);
  }
  lineOf(text: string, needle: string): number {
    return text.split('\n').findIndex((l) => l.includes(needle)) + 1;
  }

  // — graph —
  get graph() {
    return this.page.getByTestId('graph');
  }
  node(id: string): Locator {
    return this.page.locator(`.react-flow__node [data-node-id="${id}"]`);
  }
  get nodes() {
    return this.page.getByTestId('graph-node');
  }
  async nodeIds(): Promise<string[]> {
    return this.page.locator('[data-testid="graph-node"]').evaluateAll((els) => els.map((e) => (e as unknown as { getAttribute(n: string): string | null }).getAttribute('data-node-id') ?? ''));
  }
  /** The "+" on the edge from one node to another. */
  edgePlus(source: string, target: string): Locator {
    return this.page.locator(`[data-drop="edge"][data-edge-id^="${source}->${target}"]`);
  }
  get graphError() {
    return this.page.getByTestId('graph-error');
  }
  get fitButton() {
    return this.page.getByTestId('fit-view');
  }

  // — palette —
  paletteItem(type: string): Locator {
    return this.page.locator(`[data-testid="palette-item"][data-plugin="${type}"]`);
  }
  /** A real drag with the mouse: press on the palette item, move in steps, release on the target. */
  async dragPluginTo(type: string, target: Locator): Promise<void> {
    const from = await this.paletteItem(type).boundingBox();
    const to = await this.stableBox(target);
    if (!from) throw new Error('drag source not visible');
    const m = this.page.mouse;
    const [x0, y0] = [from.x + from.width / 2, from.y + from.height / 2];
    let [x1, y1] = [to.x + to.width / 2, to.y + to.height / 2];
    await m.move(x0, y0);
    await m.down();
    const steps = 12;
    for (let i = 1; i <= steps; i++) await m.move(x0 + ((x1 - x0) * i) / steps, y0 + ((y1 - y0) * i) / steps);
    // Aim again (the canvas may have moved), and hover once more so the target gets a dragover.
    const again = await target.boundingBox();
    if (again) [x1, y1] = [again.x + again.width / 2, again.y + again.height / 2];
    await m.move(x1 + 1, y1);
    await m.move(x1, y1);
    await m.up();
  }

  /** The element's box once it has stopped moving (the graph fits itself to the pane on open). */
  async stableBox(target: Locator): Promise<{ x: number; y: number; width: number; height: number }> {
    let last = await target.boundingBox();
    for (let i = 0; i < 40; i++) {
      await this.page.waitForTimeout(50);
      const now = await target.boundingBox();
      if (now && last && Math.abs(now.x - last.x) < 0.5 && Math.abs(now.y - last.y) < 0.5 && Math.abs(now.width - last.width) < 0.5) return now;
      last = now;
    }
    if (!last) throw new Error('drag target not visible');
    return last;
  }

  // — properties —
  get properties() {
    return this.page.getByTestId('properties');
  }
  propertyInput(key: string): Locator {
    return this.page.locator(`[data-testid="properties"] [data-field="${key}"]`).locator('textarea, input, select').first();
  }

  // — problems —
  get problemCount() {
    return this.page.getByTestId('problem-count');
  }
  get problems() {
    return this.page.getByTestId('problem');
  }
  async closeProblems(): Promise<void> {
    if (await this.page.locator('.problems.open').count()) await this.page.locator('.problems-toggle').click();
  }
  async openProblems(): Promise<void> {
    if (!(await this.page.locator('.problems.open').count())) await this.page.locator('.problems-toggle').click();
  }

  // — run —
  get runDialog() {
    return this.page.getByTestId('run-dialog');
  }
  runInput(id: string): Locator {
    return this.page.locator(`[data-testid="run-dialog"] [data-input="${id}"]`).locator('input, select, textarea').first();
  }
  get runSubmit() {
    return this.page.getByTestId('run-submit');
  }
  get runResult() {
    return this.page.getByTestId('run-result');
  }
}
