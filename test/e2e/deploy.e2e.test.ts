// "Deploy to Kestra" and "Pull from Kestra" in real Chromium against a real `peregrine server` and
// the fake Kestra server (test/kestra/fake-server.ts, Basic auth): every flow from the palette, one
// flow from its right-click menu, a namespace from its row with a target namespace and a dry run;
// the per-flow report with Kestra's validation errors as path + message; an unreachable server
// and refused credentials in one plain sentence; connection settings remembered without the
// password; a kept "not supported locally" flow reopened from the sidebar, edited, saved and
// deployed from the editor's toolbar; and a pull.
import fs from 'node:fs';
import net from 'node:net';
import path from 'node:path';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { startFakeKestra, type FakeKestra } from '../kestra/fake-server';
import { haveChromium, screenshot, startSession, type AppSession } from './helpers/browser';
import type { PageGlobals } from './helpers/page-globals';
import { AppPage } from './pages/app';
import { DeployPage } from './pages/deploy';
import { EditorPage } from './pages/editor';

const USER = 'admin@kestra.io';
const PASSWORD = 'Kestra-pw-7f3a';
const SLACK = 'io.kestra.plugin.notifications.slack.SlackIncomingWebhook';
const TEAMS = 'io.kestra.plugin.notifications.teams.TeamsIncomingWebhook';
const SHOTS = '/tmp/shots';

const log = (id: string, namespace = 'company.team') => `id: ${id}
namespace: ${namespace}
tasks:
  - id: log
    type: io.kestra.plugin.core.log.Log
    message: "hello from ${id}"
`;
// Runs on Kestra only (Slack is not run locally), and the Kestra server has the Slack plugin.
const NOTIFY = `# tell the team (runs on Kestra only)
id: notify
namespace: company.team
tasks:
  - id: slack
    type: ${SLACK}
    url: "{{ secret('SLACK_WEBHOOK') }}"
`;
// Kept here too, but the Kestra server has no Teams plugin: its validation refuses it.
const TEAMS_FLOW = `id: teams
namespace: company.alerts
tasks:
  - id: teams
    type: ${TEAMS}
    url: https://example.com/hook
`;

/** A loopback port nothing listens on. */
async function closedPort(): Promise<number> {
  const srv = net.createServer();
  await new Promise<void>((r) => srv.listen(0, '127.0.0.1', r));
  const port = (srv.address() as net.AddressInfo).port;
  await new Promise<void>((r) => srv.close(() => r()));
  return port;
}

describe.skipIf(!haveChromium())('Deploy to Kestra, in Chromium', () => {
  let s: AppSession;
  let app: AppPage;
  let ed: EditorPage;
  let d: DeployPage;
  let k: FakeKestra;

  const shot = async (name: string) => {
    const file = await screenshot(s.page, name);
    fs.mkdirSync(SHOTS, { recursive: true });
    fs.copyFileSync(file, path.join(SHOTS, `${name}.png`));
  };
  const stored = () => s.page.evaluate(() => (globalThis as unknown as PageGlobals).localStorage.getItem('peregrine.kestra.connection'));

  beforeAll(async () => {
    k = await startFakeKestra({ basic: { user: USER, password: PASSWORD }, extraTypes: [SLACK] });
    s = await startSession({
      flows: {
        'company.team/hello.yml': log('hello'),
        'company.team/orders.yml': log('orders'),
        'company.team/notify.yml': NOTIFY,
        'company.alerts/teams.yml': TEAMS_FLOW,
      },
    });
    app = new AppPage(s.page, s.server);
    ed = new EditorPage(s.page);
    d = new DeployPage(s.page);
    await app.open();
  });

  afterAll(async () => {
    await s?.close();
    await k?.stop();
  });

  afterEach(async (ctx) => {
    if (ctx.task.result?.state === 'fail' && s?.page) await screenshot(s.page, `FAILED-deploy-${ctx.task.name.replace(/[^a-z0-9]+/gi, '-').slice(0, 60)}`).catch(() => undefined);
  });

  it('deploys every flow from the command palette: a report per flow, Kestra’s validation error as path + message', async () => {
    await app.flowInSidebar('company.team', 'hello').waitFor();
    // The kept flows are listed as files that do not load, marked "not supported locally".
    await expect.poll(() => d.problem('notify.yml').innerText()).toMatch(/not supported locally/);

    await app.commandPalette('deploy all flows to kestra');
    await d.dialog.waitFor();
    expect(await d.target.innerText()).toMatch(/all 4 flows of the workspace/);
    await d.server.fill(k.url);
    await d.auth('basic').click();
    await d.user.fill(USER);
    await d.password.fill(PASSWORD);
    await shot('deploy-dialog-light');
    await d.run();

    await expect.poll(() => d.summary.innerText()).toMatch(/3 created[\s\S]*1 failed/);
    for (const f of ['company.team/hello', 'company.team/orders', 'company.team/notify']) expect(await d.result(f).getAttribute('data-action')).toBe('created');
    const teams = d.result('company.alerts/teams');
    expect(await teams.getAttribute('data-action')).toBe('failed');
    // Kestra's own words, split into the place in the flow and the message.
    expect(await teams.locator('.deploy-error-path').innerText()).toBe('tasks[0]');
    expect(await teams.locator('.deploy-error-line').innerText()).toContain(`Invalid type: ${TEAMS}`);
    expect([...k.flows.keys()].sort()).toEqual(['company.team/hello', 'company.team/notify', 'company.team/orders']);
    expect(k.flows.get('company.team/notify')?.source).toBe(NOTIFY);
    expect(k.requests.every((r) => r.headers.authorization === `Basic ${Buffer.from(`${USER}:${PASSWORD}`).toString('base64')}`)).toBe(true);
    await shot('deploy-report-light');

    // Remembered: the server, the auth mode, the tenant — never the password (nor the user).
    const remembered = JSON.parse((await stored()) ?? '{}');
    expect(remembered).toEqual({ server: k.url, auth: 'basic', tenant: '' });
    expect(await stored()).not.toContain(PASSWORD);
    await d.close();
  });

  it('deploys one flow from its right-click menu (the password is still in memory); the same source is unchanged', async () => {
    await d.contextMenu(app.flowInSidebar('company.team', 'orders'), 'deploy', () => shot('flow-context-menu-light'));
    await d.dialog.waitFor();
    expect(await d.target.innerText()).toBe('company.team.orders');
    expect(await d.password.inputValue()).toBe(PASSWORD);
    const before = k.requests.length;
    await d.run();
    // The server has this exact source already: reported unchanged, nothing written.
    await expect.poll(() => d.result('company.team/orders').getAttribute('data-action')).toBe('unchanged');
    expect(await d.dialog.locator('.deploy-result').count()).toBe(1);
    expect(k.requests.slice(before).map((r) => `${r.method} ${r.path}`)).toEqual(['POST /api/v1/flows/validate', 'GET /api/v1/flows/company.team/orders']);
    await d.close();
  });

  it('validates a namespace from its row, into another namespace (dry run): nothing is saved on the server', async () => {
    await d.deployNamespace('company.team');
    await d.dialog.waitFor();
    expect(await d.target.innerText()).toMatch(/3 flows in company\.team/);
    await d.namespace.fill('company.staging');
    await d.dryRun.check();
    await d.run();
    await expect.poll(() => d.summary.innerText()).toMatch(/3 valid/);
    for (const id of ['hello', 'orders', 'notify']) expect(await d.result(`company.staging/${id}`).getAttribute('data-action')).toBe('valid');
    expect([...k.flows.keys()].some((key) => key.startsWith('company.staging/'))).toBe(false);
    await d.close();
  });

  it('says so, in one sentence, when the server cannot be reached or refuses the credentials', async () => {
    const port = await closedPort();
    await d.fromWorkspaceMenu('deploy-all');
    await d.dialog.waitFor();
    await d.server.fill(`http://127.0.0.1:${port}`);
    await d.run();
    expect(await d.error.getAttribute('data-kind')).toBe('unreachable');
    expect(await d.error.innerText()).toContain(`Cannot reach http://127.0.0.1:${port}: is Kestra running there, and is the URL right?`);
    expect(await d.error.innerText()).toMatch(/ECONNREFUSED/);
    // Every flow failed for that one reason: the rows do not repeat it.
    expect(await d.dialog.locator('.deploy-errors').count()).toBe(0);
    await shot('deploy-unreachable-light');

    await d.server.fill(k.url);
    await d.password.fill('wrong');
    await d.run();
    await expect.poll(() => d.error.getAttribute('data-kind')).toBe('unauthorized');
    expect(await d.error.innerText()).toContain('The server refused these credentials (401)');
    await d.password.fill(PASSWORD);
    await d.close();
  });

  it('reopens a kept "not supported locally" flow from the sidebar, saves an edit, deploys it from the toolbar', async () => {
    await d.problem('notify.yml').click();
    await ed.waitForYamlEditor();
    expect(s.page.url()).toContain('#/flows/company.team/notify');
    await s.page.getByTestId('not-supported-locally').waitFor();
    expect(await ed.yamlText()).toBe(NOTIFY);

    await ed.replaceInYaml('# tell the team', '# tell the whole team');
    await ed.saveButton.click();
    await expect.poll(() => app.toast('success').last().innerText()).toMatch(/Saved company\.team\.notify to notify\.yml — kept/);
    const file = path.join(s.server.flowsDir, 'company.team/notify.yml');
    expect(fs.readFileSync(file, 'utf8')).toContain('# tell the whole team');
    await expect.poll(() => ed.saveButton.innerText()).toBe('Saved');
    await shot('kept-flow-in-editor-light');

    await d.toolbarDeploy.click();
    await d.dialog.waitFor();
    expect(await d.target.innerText()).toBe('company.team.notify');
    await d.run();
    await expect.poll(() => d.result('company.team/notify').getAttribute('data-action')).toBe('updated');
    expect(await d.result('company.team/notify').innerText()).toContain('rev 2');
    expect(k.flows.get('company.team/notify')?.source).toContain('# tell the whole team');
    await d.close();
  });

  it('pulls a namespace from Kestra into the workspace; the password never reaches storage, even after a reload', async () => {
    k.seed(log('from_kestra', 'company.remote'));
    await d.fromWorkspaceMenu('pull');
    await d.dialog.waitFor();
    expect(await d.dialog.getAttribute('data-mode')).toBe('pull');
    await d.namespace.fill('company.remote');
    await d.run();
    await expect.poll(() => d.result('company.remote/from_kestra').getAttribute('data-action')).toBe('created');
    await app.flowInSidebar('company.remote', 'from_kestra').waitFor();
    expect(fs.readFileSync(path.join(s.server.flowsDir, 'company.remote/from_kestra.yml'), 'utf8')).toBe(log('from_kestra', 'company.remote'));
    await shot('pull-report-light');
    await d.close();

    await s.page.reload();
    await app.ready();
    await d.fromWorkspaceMenu('deploy-all');
    await d.dialog.waitFor();
    expect(await d.server.inputValue()).toBe(k.url);
    expect(await d.auth('basic').getAttribute('aria-checked')).toBe('true');
    expect(await d.password.inputValue()).toBe('');
    expect(await s.page.evaluate(() => JSON.stringify({ ...(globalThis as unknown as PageGlobals).localStorage }))).not.toContain(PASSWORD);
    await d.close();
  });

  it('looks right in the dark theme too', async () => {
    await app.themeToggle.click();
    await d.fromWorkspaceMenu('deploy-all');
    await d.dialog.waitFor();
    await d.user.fill(USER);
    await d.password.fill(PASSWORD);
    await d.run();
    await expect.poll(() => d.summary.innerText()).toMatch(/failed/);
    await shot('deploy-report-dark');
    await d.close();
    await app.themeToggle.click();
  });

  it('logged no errors in the page', () => {
    expect(s.errors.filter((e) => !/WebSocket/.test(e))).toEqual([]);
  });
});
