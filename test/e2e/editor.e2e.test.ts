// The flow editor in real Chromium against a real `peregrine server` (own port, own data folder):
// open with the token URL, open and create flows, drag from the palette, edit in the form and in
// the YAML, see problems at their line:col in both views, undo, save to disk, run, and screenshots.
import fs from 'node:fs';
import path from 'node:path';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { eventually } from '../helpers/server-process';
import { filesUnder, haveChromium, screenshot, startSession, type AppSession } from './helpers/browser';
import type { PageGlobals } from './helpers/page-globals';
import { AppPage } from './pages/app';
import { EditorPage } from './pages/editor';

const FIXTURES = path.resolve(import.meta.dirname, '../fixtures/flows');
const LOG = 'io.kestra.plugin.core.log.Log';

describe.skipIf(!haveChromium())('the flow editor, in Chromium', () => {
  let s: AppSession;
  let app: AppPage;
  let ed: EditorPage;

  beforeAll(async () => {
    s = await startSession({
      flows: {
        'company.team.orders/flowable.yml': fs.readFileSync(path.join(FIXTURES, 'valid/flowable.yaml'), 'utf8'),
        'company.team/unknown-type.yml': fs.readFileSync(path.join(FIXTURES, 'broken/unknown-type.yaml'), 'utf8'),
      },
    });
    app = new AppPage(s.page, s.server);
    ed = new EditorPage(s.page);
  });

  afterAll(async () => {
    await s?.close();
  });

  // A failing step leaves a picture of the page behind.
  afterEach(async (ctx) => {
    if (ctx.task.result?.state === 'fail' && s?.page) await screenshot(s.page, `FAILED-${ctx.task.name.replace(/[^a-z0-9]+/gi, '-').slice(0, 60)}`).catch(() => undefined);
  });

  it('opens with the token URL, gets ready, and takes the token out of the address bar', async () => {
    await app.open();
    expect(await app.appState()).toBe('ready');
    expect(s.page.url()).not.toContain('token=');
    expect(await s.page.evaluate(() => (globalThis as unknown as PageGlobals).sessionStorage.getItem('peregrine.token'))).toBe(s.server.token);
    await app.flowInSidebar('company.team.orders', 'flowable').waitFor();
    // The file that does not load is listed with its line:col.
    await expect.poll(() => app.workspaceProblems.innerText()).toMatch(/unknown-type\.yml[\s\S]*5:11 unknown task type/);
    await screenshot(s.page, 'welcome-light');
  });

  it('opens a flow: the graph shows its tasks, groups and handlers', async () => {
    await app.flowInSidebar('company.team.orders', 'flowable').click();
    await ed.node('cleanup').waitFor();
    const ids = await ed.nodeIds();
    for (const id of ['check', 'big', 'small', 'route', 'order', 'refund', 'refund-done', 'other', 'fanout', 'left', 'right', 'alert', 'cleanup']) expect(ids).toContain(id);
    await ed.waitForYamlEditor();
    expect(await ed.yamlText()).toContain('id: flowable');
  });

  it('creates a flow from a sample', async () => {
    await app.newFlowFromSample('hello');
    await ed.waitForYamlEditor();
    await ed.node('done').waitFor();
    expect(await ed.nodeIds()).toEqual(expect.arrayContaining(['hello', 'done']));
    const text = await ed.yamlText();
    expect(text).toContain('id: hello_world');
    expect(text).toContain('# Greet first');
    await expect.poll(() => ed.flowId.innerText()).toBe('hello_world');
  });

  it('drags a Log task from the palette onto the graph: the YAML has it in the right place, comments kept', async () => {
    const before = await ed.yamlText();
    await ed.edgePlus('hello', 'done').waitFor();
    // A synthetic HTML5 drag can be lost on a starved CPU before the page sees dragover: try again
    // (at most twice) only when nothing at all was dropped.
    for (let attempt = 0; attempt < 3; attempt++) {
      await ed.dragPluginTo(LOG, ed.edgePlus('hello', 'done'));
      const dropped = await expect.poll(() => ed.yamlText(), { timeout: 5000 }).toContain('  - id: log\n').then(() => true, () => false);
      if (dropped) break;
    }
    await expect.poll(() => ed.yamlText()).toContain('  - id: log\n');
    const text = await ed.yamlText();
    expect(text.indexOf('id: hello')).toBeLessThan(text.indexOf('id: log'));
    expect(text.indexOf('id: log')).toBeLessThan(text.indexOf('id: done'));
    expect(text).toContain('# Greet first');
    // Nothing else moved: the text is the old one with the new task's lines added.
    const added = text.split('\n').filter((l, i, all) => !before.split('\n').includes(l) || all.indexOf(l) !== i);
    expect(before.split('\n').every((l) => text.includes(l))).toBe(true);
    expect(added.length).toBeGreaterThan(0);
    await ed.node('log').waitFor();
    await screenshot(s.page, 'after-drop-split-light');
  });

  it('edits a property in the form and the YAML follows', async () => {
    // The new task is selected: its form is open.
    await expect.poll(() => ed.properties.innerText()).toContain('Log');
    const message = ed.propertyInput('message');
    await message.fill('Hi {{ inputs.name }}, from the form');
    // The value keeps the quotes it had ("Order {{ trigger.value }} received").
    await expect.poll(() => ed.yamlText()).toContain('message: "Hi {{ inputs.name }}, from the form"');
    // Enums are selects.
    await ed.page.getByText('More properties').click();
    // An open list (anyOf enum | string): a text box with the levels as suggestions.
    await ed.propertyInput('level').fill('WARN');
    await expect.poll(() => ed.yamlText()).toMatch(/message: "Hi \{\{ inputs\.name \}\}, from the form"\n\s+level: WARN/);
  });

  it('typing in the YAML updates the graph', async () => {
    await ed.replaceInYaml('id: done', 'id: finished');
    await ed.node('finished').waitFor({ timeout: 10_000 });
    expect(await ed.nodeIds()).not.toContain('done');
  });

  it('a typo in a type shows the problem at its line:col, in the YAML and on the graph', async () => {
    await ed.replaceInYaml('core.log.Log', 'core.log.Logg');
    const text = await ed.yamlText();
    const line = ed.lineOf(text, 'core.log.Logg');
    await expect.poll(() => ed.problemCount.innerText(), { timeout: 10_000 }).not.toBe('0');
    await ed.openProblems();
    await expect.poll(() => ed.problems.first().innerText()).toMatch(new RegExp(`${line}:11[\\s\\S]*unknown task type io\\.kestra\\.plugin\\.core\\.log\\.Logg`));
    // On the graph: the node carries the error.
    await ed.node('hello').locator('[data-testid="node-error"]').waitFor();
    // In the YAML: a squiggle.
    await ed.page.locator('[data-testid="yaml"] .squiggly-error').first().waitFor();
    await screenshot(s.page, 'problem-typo-split-light');
    // The properties of that task offer the engine's suggestion as a one-click fix (then undone).
    await ed.node('hello').click();
    await ed.page.getByTestId('fix-type').click();
    await expect.poll(() => ed.yamlText()).not.toContain('core.log.Logg');
    await expect.poll(() => ed.page.locator('[data-testid="node-error"]').count(), { timeout: 10_000 }).toBe(0);
    await ed.undoButton.click();
    await expect.poll(() => ed.yamlText()).toContain('core.log.Logg');
  });

  it('while the YAML does not parse, the graph keeps its last shape and says where', async () => {
    const nodesBefore = (await ed.nodeIds()).sort();
    // (No brackets or quotes: Monaco would close them and the YAML would still parse.)
    await ed.replaceInYaml('namespace: company.team', 'namespace: company.team: x');
    await ed.graphError.waitFor({ timeout: 10_000 });
    const text = await ed.yamlText();
    expect(await ed.graphError.innerText()).toMatch(/error at \d+:\d+/);
    expect((await ed.nodeIds()).sort()).toEqual(nodesBefore);
    await expect.poll(() => ed.problems.allInnerTexts()).toEqual(expect.arrayContaining([expect.stringMatching(/^\s*\d+:\d+/)]));
    expect(text).toContain('namespace: company.team: x');
    // The form waits for YAML that parses.
    await ed.page.getByTestId('properties-paused').waitFor();
    await screenshot(s.page, 'broken-yaml-split-light');
  });

  it('undo goes back through both kinds of edit', async () => {
    await ed.undoButton.click();
    await expect.poll(() => ed.yamlText()).not.toContain('company.team: x');
    await expect.poll(() => ed.graphError.count()).toBe(0);
    await ed.undoButton.click();
    await expect.poll(() => ed.yamlText()).not.toContain('Logg');
    await expect.poll(() => ed.page.locator('[data-testid="node-error"]').count(), { timeout: 10_000 }).toBe(0);
    // Redo and undo with the keyboard, focus in the graph.
    await ed.graph.click({ position: { x: 40, y: 40 } });
    await ed.page.keyboard.press('Control+Shift+Z');
    await expect.poll(() => ed.yamlText()).toContain('Logg');
    await ed.page.keyboard.press('Control+Z');
    await expect.poll(() => ed.yamlText()).not.toContain('Logg');
    const text = await ed.yamlText();
    expect(text).toContain('id: finished');
    expect(text).toContain('message: "Hi {{ inputs.name }}, from the form"');
  });

  it('saves: the file on disk has the flow, comments included', async () => {
    await ed.yaml.click();
    await ed.page.keyboard.press('Control+S');
    await app.toast('success').waitFor();
    await expect.poll(() => s.page.url()).toContain('#/flows/company.team/hello_world');
    const file = await eventually(() => filesUnder(s.server.flowsDir).find((f) => f.endsWith('hello_world.yml')), 10_000, 'the saved file');
    const disk = fs.readFileSync(file, 'utf8');
    expect(disk).toContain('# Greet first');
    expect(disk).toContain('  - id: log\n');
    expect(disk).toContain('message: "Hi {{ inputs.name }}, from the form"');
    expect(disk).toContain('id: finished');
    await app.flowInSidebar('company.team', 'hello_world').waitFor();
    expect(await ed.dirtyMark.count()).toBe(0);
  });

  it('runs the flow with an input and sees it succeed', async () => {
    await ed.page.keyboard.press('Control+Enter');
    await ed.runDialog.waitFor();
    await ed.runInput('name').fill('Ada');
    await screenshot(s.page, 'run-dialog-light');
    await ed.runSubmit.click();
    await ed.page.locator('[data-testid="run-result"][data-state="SUCCESS"]').waitFor({ timeout: 30_000 });
    const id = (await ed.runResult.locator('.mono').innerText()).trim();
    const r = await s.server.api('GET', `/api/v1/executions/${id}`);
    expect(r.status).toBe(200);
    expect(r.body.inputs).toMatchObject({ name: 'Ada' });
    expect(r.body.state.current).toBe('SUCCESS');
    await screenshot(s.page, 'run-success-light');
    await ed.page.keyboard.press('Escape');
  });

  it('the enable switch writes `disabled: true` to the file, and back', async () => {
    const file = filesUnder(s.server.flowsDir).find((f) => f.endsWith('hello_world.yml'))!;
    const toggle = ed.page.locator('.toolbar .switch');
    await toggle.click();
    await expect.poll(() => fs.readFileSync(file, 'utf8')).toContain('disabled: true');
    await expect.poll(() => ed.yamlText()).toContain('disabled: true');
    expect(await ed.dirtyMark.count()).toBe(0);
    await toggle.click();
    await expect.poll(() => fs.readFileSync(file, 'utf8')).not.toContain('disabled');
    await expect.poll(() => ed.yamlText()).not.toContain('disabled');
  });

  it('a secret picked by name goes into a field as {{ secret(…) }}', async () => {
    await ed.node('log').click();
    await ed.page.locator('[data-testid="properties"] [data-field="message"]').getByTestId('secret-picker').click();
    await ed.page.getByLabel('Secret name').fill('API_TOKEN');
    await ed.page.getByLabel('Secret value').fill('s3cr3t');
    await ed.page.getByRole('button', { name: 'Save and insert' }).click();
    await expect.poll(() => ed.yamlText()).toContain("{{ secret('API_TOKEN') }}");
    // The value stays in the engine: the YAML has only the name.
    expect(await ed.yamlText()).not.toContain('s3cr3t');
    // Next time the name is in the list.
    await ed.page.locator('[data-testid="properties"] [data-field="message"]').getByTestId('secret-picker').click();
    await ed.page.getByRole('menuitem', { name: 'API_TOKEN' }).waitFor();
    await ed.page.keyboard.press('Escape');
    await ed.page.locator('[data-testid="properties"] [data-field="message"]').getByTestId('secret-picker').click();
    await ed.undoButton.click();
    await expect.poll(() => ed.yamlText()).not.toContain('secret(');
  });

  it('graph tools and shortcuts: fold a group, turn the layout, toggle the view, command palette, add a trigger', async () => {
    // The OS said light (the browser context's colour scheme): the app follows it.
    expect(await app.theme()).toBe('light');
    await app.flowInSidebar('company.team.orders', 'flowable').click();
    await ed.node('cleanup').waitFor();
    await ed.view('graph');
    // Fold the Switch: its tasks leave the graph, the group says how many it hides.
    await ed.node('route').getByRole('button', { name: 'Collapse route' }).click();
    await expect.poll(() => ed.nodeIds()).not.toContain('refund');
    await expect.poll(() => ed.node('route').innerText()).toContain('4 task(s) inside');
    await ed.node('route').getByRole('button', { name: 'Expand route' }).click();
    await ed.node('refund').waitFor();
    // Left to right: `route` moves right of `check` instead of below it.
    const pos = async (id: string) => (await ed.node(id).boundingBox())!;
    expect((await pos('route')).y).toBeGreaterThan((await pos('check')).y);
    await ed.page.locator('.graph-toolbar [data-value="LR"]').click();
    await expect.poll(async () => (await pos('route')).x > (await pos('check')).x + 50).toBe(true);
    await ed.page.locator('.graph-toolbar [data-value="TB"]').click();
    // Ctrl+E goes YAML → split → graph.
    await ed.graph.click({ position: { x: 30, y: 30 } });
    await ed.page.keyboard.press('Control+E');
    await expect.poll(() => ed.page.locator('.editor-body').getAttribute('class')).toContain('view-yaml');
    await ed.page.keyboard.press('Control+E');
    await expect.poll(() => ed.page.locator('.editor-body').getAttribute('class')).toContain('view-split');
    // Ctrl+Shift+P: open another flow by name.
    await app.commandPalette('hello_world');
    await expect.poll(() => s.page.url()).toContain('#/flows/company.team/hello_world');
    // A click on a trigger in the palette adds it to the flow's triggers (then undone).
    await ed.paletteItem('io.kestra.plugin.core.trigger.Webhook').click();
    await expect.poll(() => ed.yamlText()).toMatch(/triggers:\n  - id: webhook\n    type: io\.kestra\.plugin\.core\.trigger\.Webhook/);
    await ed.page.locator('.react-flow__node [data-node-id="trigger:webhook"]').waitFor();
    await ed.undoButton.click();
    await expect.poll(() => ed.yamlText()).not.toContain('triggers:');
  });

  it('takes screenshots of the editor: light and dark; YAML, graph and split', async () => {
    const shots: string[] = [];
    for (const theme of ['light', 'dark'] as const) {
      if ((await app.theme()) !== theme) await app.themeToggle.click();
      expect(await app.theme()).toBe(theme);
      await app.flowInSidebar('company.team.orders', 'flowable').click();
      await ed.node('cleanup').waitFor();
      await ed.closeProblems();
      await app.dismissToasts();
      for (const view of ['split', 'graph', 'yaml'] as const) {
        await ed.view(view);
        if (view !== 'yaml') await ed.fitButton.click();
        await ed.page.waitForTimeout(300);
        shots.push(await screenshot(s.page, `editor-${view}-${theme}`));
      }
      await ed.view('split');
      await ed.node('big').click();
      await ed.page.waitForTimeout(200);
      shots.push(await screenshot(s.page, `editor-selected-${theme}`));
    }
    for (const f of shots) expect(fs.statSync(f).size).toBeGreaterThan(10_000);
  });

  it('logged no errors in the page', () => {
    // The WebSocket may log a failed first connect when the server is slow to answer; nothing else.
    expect(s.errors.filter((e) => !/WebSocket/.test(e))).toEqual([]);
  });
});
