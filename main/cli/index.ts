// The `peregrine` command line: validate, run, server, executions, logs; deploy, pull, export,
// import, export-execution and gallery (main/cli/kestra.ts).
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { Command, Option } from 'commander';
import { formatError } from '../flow';
import { createRegistry } from '../plugins';
import { parseFlowSource, listFlowFiles } from '../runtime/workspace';
import { Store } from '../store';
import { registerKestraCommands } from './kestra';

const program = new Command('peregrine')
  .description('Peregrine: real-time, event-driven, Kestra-compatible flows')
  .version('0.1.0');

const dataDirOption = () => new Option('--data-dir <dir>', 'where executions, logs and files are kept').default(defaultDataDir());
const retentionOption = () =>
  new Option('--retention-days <days>', 'purge finished executions older than this (0 keeps everything)').argParser(Number).default(30);
const flowsOption = () => new Option('--flows <dir>', 'the workspace folder of YAML flows (watched)');

program
  .command('validate')
  .description('validate flow files; prints file:line:col: message for each problem, exits 1 on any error')
  .argument('<files...>', 'YAML flow files or folders')
  .action((files: string[]) => {
    const registry = createRegistry();
    let failed = 0;
    for (const file of expandFiles(files)) {
      const { errors } = parseFlowSource(fs.readFileSync(file, 'utf8'), registry, file);
      for (const e of errors) console.log(formatError({ ...e, file }));
      if (errors.some((e) => e.severity === 'error')) failed++;
      else console.log(`${file}: ok`);
    }
    process.exitCode = failed ? 1 : 0;
  });

program
  .command('run')
  .description('run flows headless: their triggers stay live until SIGINT/SIGTERM')
  .argument('[files...]', 'YAML flow files')
  .addOption(flowsOption())
  .addOption(dataDirOption())
  .option('--max-in-flight <n>', 'executions a trigger may have unfinished before it pauses', (v) => Number(v), 1000)
  .addOption(retentionOption())
  .action(async (files: string[], opts: { flows?: string; dataDir: string; maxInFlight: number; retentionDays: number }) => {
    const { Engine } = await import('../runtime/engine');
    const engine = await Engine.start({ dataDir: opts.dataDir, flowsDir: opts.flows, maxInFlight: opts.maxInFlight, retentionDays: opts.retentionDays });
    for (const file of files) {
      const result = await engine.saveFlow(fs.readFileSync(file, 'utf8'), { file, write: false });
      for (const e of result.errors) console.error(formatError({ ...e, file }));
      if (!result.ok) {
        await engine.close();
        process.exit(1);
      }
    }
    printEngineEvents(engine);
    console.log(`peregrine: running ${engine.flows().length} flow(s); data in ${opts.dataDir}. Ctrl-C stops.`);
    stopOnSignal(() => engine.close());
  });

program
  .command('server')
  .description('web mode: the engine and its API (and UI) on 127.0.0.1, guarded by a token')
  .addOption(flowsOption())
  .addOption(dataDirOption())
  .option('--host <host>', 'interface to bind', '127.0.0.1')
  .option('--port <port>', 'port (0 = any free port)', (v) => Number(v), 8080)
  .option('--token <token>', 'the API token (generated when absent)')
  .option('--max-in-flight <n>', 'executions a trigger may have unfinished before it pauses', (v) => Number(v), 1000)
  .option('--no-embedded-mqtt', 'do not start the embedded MQTT broker on 127.0.0.1:1883')
  .option('--mqtt-port <port>', 'port of the embedded MQTT broker (a free one when taken)', (v) => Number(v), 1883)
  .option('--no-samples', 'do not put the getting-started flows into an empty workspace')
  .addOption(retentionOption())
  .action(async (opts: { flows?: string; dataDir: string; host: string; port: number; token?: string; maxInFlight: number; embeddedMqtt: boolean; mqttPort: number; samples: boolean; retentionDays: number }) => {
    const { Engine } = await import('../runtime/engine');
    const { startServer } = await import('../api/server');
    const flowsDir = opts.flows ?? path.join(opts.dataDir, 'flows');
    // The embedded broker first: the sample flows' triggers connect to it as they start.
    const mqtt = opts.embeddedMqtt ? await (await import('../runtime/embedded-mqtt')).startEmbeddedMqtt({ port: opts.mqttPort }) : undefined;
    if (mqtt) {
      console.log(`peregrine: embedded MQTT broker on ${mqtt.url}`);
      // The sample flows find it through {{ envs.peregrine_mqtt_url }} (Kestra's ENV_ convention).
      process.env.ENV_PEREGRINE_MQTT_URL ??= `tcp://127.0.0.1:${mqtt.port}`;
    }
    if (opts.samples && workspaceIsEmpty(flowsDir)) copySamples(flowsDir);
    const engine = await Engine.start({ dataDir: opts.dataDir, flowsDir, maxInFlight: opts.maxInFlight, retentionDays: opts.retentionDays });
    const uiDir = path.join(packageRoot(), 'dist/renderer');
    const server = await startServer({ engine, host: opts.host, port: opts.port, token: opts.token ?? process.env.PEREGRINE_TOKEN, staticDir: fs.existsSync(uiDir) ? uiDir : undefined });
    if (opts.host !== '127.0.0.1' && opts.host !== 'localhost' && opts.host !== '::1') {
      console.warn(`peregrine: warning: listening on ${opts.host}, reachable from other machines (the token still guards the API)`);
    }
    console.log(`peregrine: ${engine.flows().length} flow(s) from ${flowsDir}; data in ${opts.dataDir}`);
    console.log(`peregrine: serving on ${server.url}`);
    console.log(`peregrine: open ${server.loginUrl}`);
    stopOnSignal(async () => {
      await server.close();
      await engine.close();
      await mqtt?.close();
    });
  });

program
  .command('executions')
  .description('list recent executions')
  .addOption(dataDirOption())
  .option('--namespace <ns>')
  .option('--flow <id>')
  .option('--state <state>', 'comma-separated states')
  .option('--size <n>', 'how many', (v) => Number(v), 25)
  .option('--json', 'print JSON')
  .action(async (opts: { dataDir: string; namespace?: string; flow?: string; state?: string; size: number; json?: boolean }) => {
    await withStore(opts.dataDir, (store) => {
      const { results, total } = store.searchExecutions({
        namespace: opts.namespace, flowId: opts.flow, size: opts.size, state: opts.state?.split(',') as never,
      });
      if (opts.json) return console.log(JSON.stringify({ results, total }, null, 2));
      for (const e of results) {
        console.log(`${e.id}  ${e.state.current.padEnd(9)}  ${e.namespace}.${e.flowId}  ${e.state.startDate}  ${e.state.duration ?? ''}`);
      }
      console.log(`${results.length} of ${total}`);
    });
  });

program
  .command('logs')
  .description("print an execution's logs")
  .argument('<executionId>')
  .addOption(dataDirOption())
  .option('--level <level>', 'minimum level (TRACE, DEBUG, INFO, WARN, ERROR)')
  .option('--json', 'print JSON')
  .action(async (id: string, opts: { dataDir: string; level?: string; json?: boolean }) => {
    await withStore(opts.dataDir, (store) => {
      if (!store.getExecution(id)) {
        console.error(`peregrine: no execution ${id} in ${opts.dataDir}`);
        process.exitCode = 1;
        return;
      }
      const logs = store.logs({ executionId: id, minLevel: opts.level as never });
      if (opts.json) return console.log(JSON.stringify(logs.map(({ id: _i, ...l }) => l), null, 2));
      for (const l of logs) console.log(`${l.timestamp} ${l.level.padEnd(5)} ${l.taskId ?? '-'}: ${l.message}`);
    });
  });

registerKestraCommands(program, { dataDir: defaultDataDir });

/** The folder of Peregrine's package.json, from the sources (main/cli) or the bundle (dist/engine). */
function packageRoot(): string {
  let dir = path.dirname(fileURLToPath(import.meta.url));
  while (!fs.existsSync(path.join(dir, 'package.json')) && path.dirname(dir) !== dir) dir = path.dirname(dir);
  return dir;
}

function workspaceIsEmpty(dir: string): boolean {
  return listFlowFiles(dir).length === 0;
}

/** A first run: the getting-started flows (a real-time trigger on the embedded broker, and its feeder). */
function copySamples(flowsDir: string): void {
  const from = path.join(packageRoot(), 'assets/flows/getting-started');
  if (!fs.existsSync(from)) return;
  const to = path.join(flowsDir, 'getting.started');
  fs.mkdirSync(to, { recursive: true });
  for (const f of fs.readdirSync(from)) fs.copyFileSync(path.join(from, f), path.join(to, f));
  console.log(`peregrine: an empty workspace: added the getting-started flows to ${to}`);
}

function defaultDataDir(): string {
  return process.env.PEREGRINE_DATA_DIR ?? path.join(os.homedir(), '.peregrine');
}

function expandFiles(items: string[]): string[] {
  return items.flatMap((i) => (fs.existsSync(i) && fs.statSync(i).isDirectory() ? listFlowFiles(i) : [i]));
}

async function withStore(dataDir: string, fn: (store: Store) => void): Promise<void> {
  if (!fs.existsSync(path.join(dataDir, 'peregrine.db'))) {
    console.error(`peregrine: no data in ${dataDir} (use --data-dir)`);
    process.exitCode = 1;
    return;
  }
  const store = new Store({ dataDir });
  try {
    fn(store);
  } finally {
    await store.close();
  }
}

function printEngineEvents(engine: import('../runtime/engine').Engine): void {
  engine.events.on('trigger', (h) => {
    console.log(`trigger ${h.namespace}.${h.flowId}.${h.triggerId}: ${h.state}${h.lastError ? ` — ${h.lastError}` : ''}`);
  });
  engine.events.on('execution', (e) => {
    if (['SUCCESS', 'WARNING', 'FAILED', 'KILLED', 'CANCELLED'].includes(e.state.current) && e.state.endDate) {
      console.log(`execution ${e.id} ${e.namespace}.${e.flowId}: ${e.state.current} in ${e.state.duration}`);
    }
  });
}

function stopOnSignal(stop: () => Promise<void>): void {
  let stopping = false;
  const onSignal = (signal: string) => {
    if (stopping) return;
    stopping = true;
    console.log(`peregrine: ${signal}: stopping triggers and flushing the store…`);
    stop().then(
      () => process.exit(0),
      (e) => {
        console.error(e);
        process.exit(1);
      },
    );
  };
  process.on('SIGINT', () => onSignal('SIGINT'));
  process.on('SIGTERM', () => onSignal('SIGTERM'));
}

await program.parseAsync(process.argv);
