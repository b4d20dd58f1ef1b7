// Namespace files: a script task with `namespaceFiles.enabled` gets the workspace's
// `<namespace>/_files/` (filtered by include/exclude) in its working directory; those files are
// never loaded as flows.
import fs from 'node:fs';
import path from 'node:path';
import { afterEach, expect, it } from 'vitest';
import type { Engine } from '../../../main/runtime/engine';
import { globToRegExp } from '../../../main/plugins/scripts/namespace-files';
import { startEngine } from '../../helpers/engine';
import { tempDir } from '../../helpers/server-process';

let engine: Engine | undefined;
afterEach(async () => {
  await engine?.close();
  engine = undefined;
});

it('globs match like Kestra include/exclude patterns', () => {
  expect(globToRegExp('**/*.py').test('lib/score.py')).toBe(true);
  expect(globToRegExp('**/*.py').test('score.py')).toBe(true);
  expect(globToRegExp('*.py').test('lib/score.py')).toBe(false);
  expect(globToRegExp('data/?.csv').test('data/a.csv')).toBe(true);
});

it('copies the namespace files into the working directory, with include and exclude', async () => {
  const flowsDir = tempDir('nsfiles');
  const files = path.join(flowsDir, 'company.team', '_files');
  fs.mkdirSync(path.join(files, 'lib'), { recursive: true });
  fs.writeFileSync(path.join(files, 'lib', 'greeting.txt'), 'hello from a namespace file\n');
  fs.writeFileSync(path.join(files, 'lib', 'secret.env'), 'NOPE=1');
  fs.writeFileSync(path.join(files, 'config.yml'), 'id: not-a-flow\n'); // a .yml that must not load as a flow
  fs.writeFileSync(path.join(flowsDir, 'company.team', 'reader.yml'), `id: reader
namespace: company.team
tasks:
  - id: read
    type: io.kestra.plugin.scripts.shell.Commands
    taskRunner:
      type: io.kestra.plugin.core.runner.Process
    namespaceFiles:
      enabled: true
      exclude:
        - "**/*.env"
    commands:
      - cat lib/greeting.txt
      - test ! -e lib/secret.env && echo "excluded ok"
      - test -e config.yml && echo "yml copied"
`);
  engine = await startEngine([], { flowsDir });
  expect(engine.flows().map((f) => f.flow.id)).toEqual(['reader']);
  expect(engine.problems.size).toBe(0);
  const started = await engine.createExecution('company.team', 'reader');
  const done = await engine.waitFor(started.id);
  expect(done.state.current).toBe('SUCCESS');
  const logs = engine.store.logs({ executionId: done.id }).map((l) => l.message);
  expect(logs).toEqual(expect.arrayContaining(['hello from a namespace file', 'excluded ok', 'yml copied']));
});
