// startBroker(): a fresh temporary folder, free loopback ports, the server processes, readiness
// checked with the real client, and a handle to stop/restart/kill/start it. Every broker still
// running when this process exits is killed and its folder removed.
import { chownSync, existsSync, mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { INSTALL_HINT, isRoot, userIds } from './paths';
import { freePorts, isPortFree, LOOPBACK } from './ports';
import {
  killServer, killServerSync, killWatchdog, sleep, spawnServer, spawnWatchdog, stopServer, waitForPort,
  type ServerProcess,
} from './process';
import type { ServerContext, ServerDef, ServerInfo } from './server';
import { SERVERS } from './servers';
import type { BrokerHandle, BrokerName, StartOptions, StopOptions } from './types';

const DEFAULT_READY_TIMEOUT_MS = 120_000;
const PROBE_TIMEOUT_MS = 10_000;
const PORT_CONFLICT = /address already in use|EADDRINUSE|eaddrinuse|Address in use|port is already in use/i;

/** A broker that cannot run here because a binary, jar or user is missing. */
export class BrokerMissingError extends Error {
  constructor(readonly broker: BrokerName, readonly missing: string) {
    super(`${broker}: missing ${missing}; install with: ${INSTALL_HINT}`);
    this.name = 'BrokerMissingError';
  }
}

/** What keeps `name` from running here (binary/jar/user), or undefined when it can run. */
export function brokerMissing(name: BrokerName): string | undefined {
  return SERVERS[name].missing();
}

const live = new Set<ManagedBroker<BrokerName>>();

function tail(text: string, lines: number): string {
  return text.split('\n').slice(-lines).join('\n');
}

function chownTree(path: string, uid: number, gid: number): void {
  chownSync(path, uid, gid);
  for (const entry of readdirSync(path, { withFileTypes: true })) {
    const child = join(path, entry.name);
    if (entry.isDirectory()) chownTree(child, uid, gid);
    else chownSync(child, uid, gid);
  }
}

class ManagedBroker<N extends BrokerName> implements BrokerHandle<N> {
  readonly name: N;
  readonly host: string;
  readonly port: number;
  readonly ports: Readonly<Record<string, number>>;
  readonly url: string;
  readonly env: Readonly<Record<string, string>>;
  readonly connection: ServerInfo<N>['connection'];
  readonly user?: string;
  readonly password?: string;
  readonly database?: string;
  readonly dataDir: string;
  readonly logFile: string;
  readyMs = 0;
  private procs: ServerProcess[] = [];
  private watchdog: number | undefined;
  private removed = false;
  private starting: Promise<void> | undefined;

  constructor(
    private readonly def: ServerDef<N>,
    private readonly ctx: ServerContext,
    private readonly options: StartOptions,
  ) {
    const info = def.info(ctx);
    this.name = def.name;
    this.host = ctx.host;
    this.port = ctx.port;
    this.ports = Object.freeze({ ...ctx.ports });
    this.url = info.url;
    this.env = Object.freeze({ ...info.env });
    this.connection = info.connection;
    this.user = info.user;
    this.password = info.password;
    this.database = info.database;
    this.dataDir = ctx.dir;
    this.logFile = ctx.logFile;
  }

  get pid(): number | undefined {
    return this.procs.at(-1)?.pid;
  }

  get running(): boolean {
    return this.procs.length > 0 && this.procs.every((p) => p.exitedWith === undefined);
  }

  log(): string {
    try {
      return readFileSync(this.logFile, 'utf8');
    } catch {
      return '';
    }
  }

  async start(): Promise<void> {
    await this.launch(performance.now());
  }

  /** Start the processes and wait for readiness; `t0` is when this start began (readyMs). */
  async launch(t0: number): Promise<void> {
    if (this.removed) throw new Error(`${this.name}: stopped and its data removed; start a new broker`);
    if (this.procs.length) throw new Error(`${this.name}: already running (pid ${this.pid})`);
    live.add(this);
    try {
      for (const launch of this.def.launch(this.ctx)) {
        const proc = spawnServer(launch, this.logFile);
        this.procs.push(proc);
        if (launch.waitForPort) await waitForPort(launch.waitForPort, 15_000, proc);
      }
      this.watchdog = spawnWatchdog(this.procs.map((p) => p.pid), this.options.keepData ? undefined : this.dataDir);
      await this.waitReady();
    } catch (err) {
      await this.halt('kill');
      throw err;
    }
    this.readyMs = Math.round(performance.now() - t0);
  }

  private async waitReady(): Promise<void> {
    const timeoutMs = this.options.readyTimeoutMs ?? DEFAULT_READY_TIMEOUT_MS;
    const deadline = Date.now() + timeoutMs;
    let lastError: unknown;
    for (let delay = 50; ; delay = Math.min(delay * 2, 250)) {
      const dead = this.procs.find((p) => p.exitedWith !== undefined);
      if (dead) throw new Error(`${dead.launch.label} ${dead.exitedWith} before it was ready`);
      try {
        await Promise.race([
          this.def.probe(this.ctx),
          sleep(PROBE_TIMEOUT_MS).then(() => Promise.reject(new Error(`probe timed out after ${PROBE_TIMEOUT_MS} ms`))),
        ]);
        return;
      } catch (err) {
        lastError = err;
      }
      if (Date.now() > deadline) {
        const why = lastError instanceof Error ? lastError.message : String(lastError);
        throw new Error(`not ready after ${timeoutMs} ms (last check: ${why})`);
      }
      await sleep(delay);
    }
  }

  private async halt(mode: 'stop' | 'kill'): Promise<void> {
    const procs = this.procs.reverse();
    this.procs = [];
    if (mode === 'kill') await Promise.all(procs.map((p) => killServer(p)));
    else for (const p of procs) await stopServer(p);
    killWatchdog(this.watchdog);
    this.watchdog = undefined;
  }

  async stop(options: StopOptions = {}): Promise<void> {
    await this.halt('stop');
    const keep = options.keepData ?? this.options.keepData ?? false;
    if (!keep) {
      rmSync(this.dataDir, { recursive: true, force: true });
      this.removed = true;
    }
    live.delete(this);
  }

  async restart(): Promise<void> {
    await this.halt('stop');
    await this.start();
  }

  async kill(): Promise<void> {
    await this.halt('kill');
  }

  /** Process exit: nothing async runs any more. */
  killSync(): void {
    for (const p of this.procs) killServerSync(p);
    killWatchdog(this.watchdog);
    if (!this.options.keepData) rmSync(this.dataDir, { recursive: true, force: true });
  }
}

let hooked = false;
function hookProcessExit(): void {
  if (hooked) return;
  hooked = true;
  process.on('exit', () => {
    for (const broker of live) broker.killSync();
  });
  const signals = { SIGINT: 130, SIGTERM: 143, SIGHUP: 129 } as const;
  for (const [signal, code] of Object.entries(signals) as [NodeJS.Signals, number][]) {
    // A host that handles the signal itself (the CLI) stops its brokers; the exit hook still runs.
    if (process.listenerCount(signal) > 0) continue;
    process.once(signal, () => {
      void stopAllBrokers().finally(() => process.exit(code));
    });
  }
}

/** Stop every broker this process started (data removed unless keepData). */
export async function stopAllBrokers(): Promise<void> {
  await Promise.allSettled([...live].map((b) => b.stop()));
}

async function makeContext(def: ServerDef<BrokerName>, options: StartOptions): Promise<ServerContext> {
  const roles = def.portRoles;
  let ports: number[];
  if (options.port) {
    if (!(await isPortFree(options.port))) throw new Error(`${def.name}: port ${options.port} is in use`);
    ports = [options.port, ...(await freePorts(roles.length - 1))];
  } else {
    ports = await freePorts(roles.length);
  }
  const dir = mkdtempSync(join(tmpdir(), `peregrine-broker-${def.name}-`));
  const runAsIds = def.runAs && isRoot() ? userIds(def.runAs) : undefined;
  return {
    name: def.name,
    host: LOOPBACK,
    ports: Object.fromEntries(roles.map((role, i) => [role, ports[i]])),
    port: ports[0],
    dir,
    logFile: join(dir, 'server.log'),
    asRoot: isRoot() && !runAsIds,
    runAs: runAsIds ? def.runAs : undefined,
  };
}

/**
 * Start a real broker on free 127.0.0.1 ports in a fresh temporary folder and wait until its
 * official client can use it. Throws BrokerMissingError when it is not installed.
 */
export async function startBroker<N extends BrokerName>(name: N, options: StartOptions = {}): Promise<BrokerHandle<N>> {
  const def = SERVERS[name] as unknown as ServerDef<N>;
  const missing = def.missing();
  if (missing) throw new BrokerMissingError(name, missing);
  hookProcessExit();
  for (let attempt = 1; ; attempt++) {
    const t0 = performance.now();
    const ctx = await makeContext(def as unknown as ServerDef<BrokerName>, options);
    const broker = new ManagedBroker(def, ctx, options);
    live.add(broker as unknown as ManagedBroker<BrokerName>);
    try {
      const ids = ctx.runAs ? userIds(ctx.runAs) : undefined;
      if (ids) chownSync(ctx.dir, ids.uid, ids.gid);
      await def.prepare?.(ctx);
      if (ids && existsSync(ctx.dir)) chownTree(ctx.dir, ids.uid, ids.gid);
      await broker.launch(t0);
      await def.initialize?.(ctx);
      return broker;
    } catch (err) {
      const log = broker.log();
      await broker.stop({ keepData: options.keepData });
      if (attempt < 3 && !options.port && PORT_CONFLICT.test(log)) continue;
      const why = err instanceof Error ? err.message : String(err);
      throw new Error(`${name} did not start: ${why}\n--- last lines of ${ctx.logFile} ---\n${tail(log, 40)}`);
    }
  }
}
