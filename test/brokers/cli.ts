// npm run brokers -- up NAME… | up all | install | list
//
// Starts real brokers on free 127.0.0.1 ports for a demo or a manual test, prints how to reach
// them, and stops them (removing their data unless --keep-data) on Ctrl-C.
import { spawnSync } from 'node:child_process';
import { writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { brokerMissing, startBroker, stopAllBrokers } from './broker';
import { cacheDir, INSTALL_HINT } from './paths';
import { BROKER_NAMES, isBrokerName, type BrokerHandle, type BrokerName } from './types';

const HERE = dirname(fileURLToPath(import.meta.url));

const USAGE = `usage: npm run brokers -- <command>

  up NAME… | up all   start brokers (${BROKER_NAMES.join(', ')}), print how to reach them,
                      stop them on Ctrl-C
      --keep-data     keep their temporary folders
      --port N        main port (with a single broker)
      --write-env F   also write their environment variables to F
  install             bash test/brokers/install.sh (Debian packages, jars, Pub/Sub fake)
  list                which brokers can run here`;

function examples(b: BrokerHandle): string[] {
  const p = b.port;
  switch (b.name) {
    case 'redis': return [`redis-cli -h 127.0.0.1 -p ${p} ping`, `new Redis('${b.url}')   // ioredis`];
    case 'rabbitmq': return [`amqplib.connect('${b.url}')`];
    case 'postgres': return [`psql '${b.url}'`, `new pg.Client({ connectionString: '${b.url}' })`];
    case 'mosquitto': return [`mosquitto_sub -h 127.0.0.1 -p ${p} -t '#' -v`, `mqtt.connect('${b.url}')`];
    case 'nats': return [`nats.connect({ servers: '${b.url}' })   // JetStream on`];
    case 'kafka': return [`new Kafka({ brokers: ['127.0.0.1:${p}'] })   // kafkajs`];
    case 'sqs': return [
      `aws --endpoint-url ${b.url} --region us-east-1 sqs list-queues`,
      `new SQSClient({ endpoint: '${b.url}', region: 'us-east-1', credentials: { accessKeyId: 'peregrine', secretAccessKey: 'peregrine' } })`,
    ];
    case 'pubsub': return [`PUBSUB_EMULATOR_HOST=127.0.0.1:${p} METADATA_SERVER_DETECTION=none <your program>`];
  }
}

function describe(b: BrokerHandle): string {
  const lines = [
    `${b.name.padEnd(10)} ready in ${b.readyMs} ms  ${b.url}`,
    `  ports: ${Object.entries(b.ports).map(([k, v]) => `${k}=${v}`).join(' ')}`,
  ];
  if (b.user) lines.push(`  login: ${b.user} / ${b.password}${b.database ? `  database: ${b.database}` : ''}`);
  lines.push(`  env:   ${Object.entries(b.env).map(([k, v]) => `${k}=${v}`).join(' ')}`);
  for (const e of examples(b)) lines.push(`  try:   ${e}`);
  lines.push(`  data:  ${b.dataDir}  (log: ${b.logFile})`);
  return lines.join('\n');
}

function shellQuote(v: string): string {
  return /^[\w@%+=:,./-]+$/.test(v) ? v : `'${v.replace(/'/g, `'\\''`)}'`;
}

async function up(args: string[]): Promise<number> {
  const names: BrokerName[] = [];
  let keepData = false;
  let port: number | undefined;
  let envFile: string | undefined;
  for (let i = 0; i < args.length; i++) {
    const a = args[i];
    if (a === '--keep-data') keepData = true;
    else if (a === '--port') port = Number(args[++i]);
    else if (a === '--write-env') envFile = args[++i];
    else if (a === 'all') names.push(...BROKER_NAMES);
    else if (isBrokerName(a)) names.push(a);
    else {
      console.error(`unknown broker or option: ${a}\n\n${USAGE}`);
      return 2;
    }
  }
  if (!names.length) {
    console.error(USAGE);
    return 2;
  }
  if (port !== undefined && (names.length !== 1 || !Number.isInteger(port))) {
    console.error('--port N needs exactly one broker');
    return 2;
  }
  const missing = names.flatMap((n) => {
    const m = brokerMissing(n);
    return m ? [`  ${n}: missing ${m}`] : [];
  });
  if (missing.length) {
    console.error(`cannot start:\n${missing.join('\n')}\ninstall with: ${INSTALL_HINT}  (or: npm run brokers -- install)`);
    return 1;
  }

  let stopping = false;
  const stop = async (code: number) => {
    if (stopping) return;
    stopping = true;
    console.log('\nstopping brokers…');
    await stopAllBrokers();
    console.log(keepData ? 'stopped (data kept)' : 'stopped');
    process.exit(code);
  };
  process.on('SIGINT', () => void stop(0));
  process.on('SIGTERM', () => void stop(0));

  console.log(`starting ${[...new Set(names)].join(', ')}…`);
  const results = await Promise.allSettled([...new Set(names)].map((n) => startBroker(n, { keepData, port })));
  const failed = results.flatMap((r) => (r.status === 'rejected' ? [String(r.reason?.message ?? r.reason)] : []));
  if (failed.length) {
    console.error(failed.join('\n\n'));
    await stop(1);
    return 1;
  }
  const handles = results.map((r) => (r as PromiseFulfilledResult<BrokerHandle>).value);
  console.log('');
  for (const h of handles) console.log(describe(h) + '\n');
  const env = handles.flatMap((h) => Object.entries(h.env));
  console.log(`all env vars:\n  export ${env.map(([k, v]) => `${k}=${shellQuote(v)}`).join(' ')}\n`);
  if (envFile) {
    writeFileSync(envFile, env.map(([k, v]) => `${k}=${v}`).join('\n') + '\n');
    console.log(`env written to ${envFile}`);
  }
  console.log('Ctrl-C stops them.');
  setInterval(() => {
    for (const h of handles) {
      if (!h.running && !stopping) {
        console.error(`\n${h.name} exited unexpectedly; last log lines:\n${h.log().split('\n').slice(-20).join('\n')}`);
        void stop(1);
      }
    }
  }, 2000);
  return new Promise<number>(() => undefined);
}

function install(): number {
  const r = spawnSync('bash', [join(HERE, 'install.sh')], { stdio: 'inherit' });
  return r.status ?? 1;
}

function list(): number {
  console.log(`cache: ${cacheDir()}`);
  for (const n of BROKER_NAMES) {
    const m = brokerMissing(n);
    console.log(`${n.padEnd(10)} ${m ? `missing ${m}` : 'ok'}`);
  }
  return 0;
}

async function main(argv: string[]): Promise<number> {
  const [command, ...rest] = argv;
  switch (command) {
    case 'up': return up(rest);
    case 'install': return install();
    case 'list': return list();
    default:
      console.log(USAGE);
      return command && command !== 'help' && command !== '--help' ? 2 : 0;
  }
}

main(process.argv.slice(2)).then((code) => process.exit(code), (err) => {
  console.error(err);
  process.exit(1);
});
