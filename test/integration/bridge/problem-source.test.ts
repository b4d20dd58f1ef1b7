// Files that do not load carry their text over both transports (`flows.list` problems: source,
// the flow they name, "not supported locally" or broken), so the UI can open one, fix it and save
// it back to its own file; saving a kept flow says where it went (`flows.save` → kept).
import fs from 'node:fs';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Engine } from '../../../main/runtime/engine';
import { startEngine } from '../../helpers/engine';
import { tempDir } from '../../helpers/server-process';
import { ipcTransport, webSocketTransport, type Transport } from './transports';

// Slack is a Kestra plugin Peregrine does not run: the flow is kept, never run.
const FOR_KESTRA = `# notify the team (runs on Kestra only)
id: notify
namespace: company.team
tasks:
  - id: slack
    type: io.kestra.plugin.notifications.slack.SlackIncomingWebhook
    url: "{{ secret('SLACK_WEBHOOK') }}"
`;
// A typo: not a Kestra type either, so the file is broken, not kept.
const TYPO = `id: typo
namespace: company.team
tasks:
  - id: hello
    type: io.kestra.plugin.core.log.Logg
    message: hi
`;
const NOT_YAML = 'id: [unclosed\n';

for (const make of [webSocketTransport, ipcTransport]) {
  describe(`problems carry their source over ${make === webSocketTransport ? 'WebSocket' : 'Electron IPC'}`, () => {
    let engine: Engine;
    let t: Transport;
    let flowsDir: string;
    const file = (rel: string) => path.join(flowsDir, rel);

    beforeAll(async () => {
      flowsDir = path.join(tempDir('problems'), 'flows');
      for (const [rel, text] of [['company.team/notify.yml', FOR_KESTRA], ['company.team/typo.yml', TYPO], ['broken.yml', NOT_YAML]]) {
        fs.mkdirSync(path.dirname(file(rel)), { recursive: true });
        fs.writeFileSync(file(rel), text);
      }
      engine = await startEngine([], { flowsDir, watch: false });
      t = await make(engine);
    });
    afterAll(async () => {
      await t?.close();
      await engine?.close();
    });

    const list = async () => {
      const r = await t.bridge.call('flows.list', {});
      if (!r.ok) throw new Error(r.error.message);
      return r.value;
    };

    it('flows.list problems: the text, the flow it names, and whether it is only "not supported locally"', async () => {
      const { flows, problems } = await list();
      expect(flows).toEqual([]);
      const byFile = Object.fromEntries(problems.map((p) => [path.relative(flowsDir, p.file), p]));
      expect(Object.keys(byFile).sort()).toEqual(['broken.yml', 'company.team/notify.yml', 'company.team/typo.yml']);
      expect(byFile['company.team/notify.yml']).toMatchObject({ source: FOR_KESTRA, namespace: 'company.team', id: 'notify', notSupportedLocally: true });
      expect(byFile['company.team/typo.yml']).toMatchObject({ source: TYPO, namespace: 'company.team', id: 'typo', notSupportedLocally: false });
      expect(byFile['company.team/typo.yml'].errors[0]).toMatchObject({ line: 5, message: expect.stringMatching(/unknown task type/) });
      // No id or namespace to name: the text still comes, to be fixed in the editor.
      expect(byFile['broken.yml']).toMatchObject({ source: NOT_YAML, notSupportedLocally: false });
      expect(byFile['broken.yml'].namespace).toBeUndefined();
      expect(byFile['broken.yml'].id).toBeUndefined();
    });

    it('a kept flow edited and saved to its file: still kept, and the answer says which flow and file', async () => {
      const edited = FOR_KESTRA.replace('# notify the team', '# notify the whole team');
      const r = await t.bridge.call('flows.save', { source: edited, file: file('company.team/notify.yml') });
      expect(r.ok && r.value).toMatchObject({ ok: false, kept: { namespace: 'company.team', id: 'notify', file: file('company.team/notify.yml') } });
      expect(fs.readFileSync(file('company.team/notify.yml'), 'utf8')).toBe(edited);
      const { problems } = await list();
      expect(problems.find((p) => p.id === 'notify')?.source).toBe(edited);
    });

    it('a broken file fixed and saved to its file: it loads, and is no longer a problem', async () => {
      const fixed = TYPO.replace('Logg', 'Log');
      const r = await t.bridge.call('flows.save', { source: fixed, file: file('company.team/typo.yml') });
      expect(r.ok && r.value).toMatchObject({ ok: true, flow: { namespace: 'company.team', id: 'typo', file: file('company.team/typo.yml') } });
      expect(r.ok && r.value.kept).toBeUndefined();
      const { flows, problems } = await list();
      expect(flows.map((f) => f.id)).toEqual(['typo']);
      expect(problems.map((p) => path.relative(flowsDir, p.file)).sort()).toEqual(['broken.yml', 'company.team/notify.yml']);
    });
  });
}
