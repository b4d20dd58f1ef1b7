// Node-RED running the webhook → set value → log flow: `http in` (POST /bench) → `change` (sets
// msg.payload to "Hello World") → `debug` (to the console log, like Kestra's Log task) and `http
// response`. Loaded from the flow file named in its settings; nothing is persisted (Node-RED keeps
// no record of a message once it has passed; the console log goes to a file here).
import { spawn, type ChildProcess } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { freePort, until } from '../lib/net';
import { peerPrefix } from './install';

export interface PeerServer { name: string; version: string; webhookUrl: string; child: ChildProcess; home: string; logFile: string; startMs: number; stop(): Promise<void> }

export const NODE_RED_FLOW = [
  { id: 'bench-tab', type: 'tab', label: 'bench', disabled: false, info: '' },
  { id: 'bench-in', type: 'http in', z: 'bench-tab', name: 'webhook', url: '/bench', method: 'post', upload: false, swaggerDoc: '', x: 120, y: 80, wires: [['bench-set']] },
  { id: 'bench-set', type: 'change', z: 'bench-tab', name: 'set value', rules: [{ t: 'set', p: 'payload', pt: 'msg', to: 'Hello World', tot: 'str' }], action: '', property: '', from: '', to: '', reg: false, x: 300, y: 80, wires: [['bench-log', 'bench-res']] },
  { id: 'bench-log', type: 'debug', z: 'bench-tab', name: 'log', active: true, tosidebar: false, console: true, tostatus: false, complete: 'payload', targetType: 'msg', statusVal: '', statusType: 'auto', x: 480, y: 60, wires: [] },
  { id: 'bench-res', type: 'http response', z: 'bench-tab', name: '', statusCode: '200', headers: {}, x: 480, y: 100, wires: [] },
];

export async function startNodeRed(version: string): Promise<PeerServer> {
  const red = path.join(peerPrefix('node-red'), 'node_modules/node-red/red.js');
  if (!fs.existsSync(red)) throw new Error(`Node-RED is not installed at ${red}`);
  const home = fs.mkdtempSync(path.join(os.tmpdir(), 'peregrine-bench-node-red-'));
  fs.writeFileSync(path.join(home, 'flows.json'), JSON.stringify(NODE_RED_FLOW, null, 2));
  fs.writeFileSync(path.join(home, 'settings.js'), `module.exports = {
  flowFile: 'flows.json',
  uiHost: '127.0.0.1',
  credentialSecret: false,
  diagnostics: { enabled: false },
  runtimeState: { enabled: false },
  telemetry: { enabled: false },
  logging: { console: { level: 'info', metrics: false, audit: false } },
  editorTheme: { tours: false, projects: { enabled: false } },
};
`);
  const port = await freePort();
  const logFile = path.join(home, 'node-red.log');
  const out = fs.openSync(logFile, 'w');
  const t0 = performance.now();
  const child = spawn(process.execPath, [red, '-u', home, '-p', String(port)], { stdio: ['ignore', out, out], cwd: home });
  fs.closeSync(out);
  const webhookUrl = `http://127.0.0.1:${port}/bench`;
  const up = await until(async () => (await fetch(webhookUrl, { method: 'POST' })).status === 200, 60_000);
  if (!up) {
    child.kill('SIGKILL');
    throw new Error(`Node-RED did not answer on ${webhookUrl} within 60 s:\n${fs.readFileSync(logFile, 'utf8').slice(-1500)}`);
  }
  return {
    name: 'Node-RED', version, webhookUrl, child, home, logFile, startMs: Math.round(performance.now() - t0),
    async stop() {
      child.kill('SIGTERM');
      await Promise.race([new Promise((r) => child.once('exit', r)), new Promise((r) => setTimeout(r, 10_000))]);
      if (child.exitCode === null && child.signalCode === null) child.kill('SIGKILL');
      fs.rmSync(home, { recursive: true, force: true });
    },
  };
}
