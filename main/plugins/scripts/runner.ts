// Runs script tasks as local child processes (Kestra's "Process" task runner), reusable by every
// script family (shell, node, python …):
//   - a fresh temporary working directory per run, removed afterwards;
//   - a scrubbed environment: only PATH, HOME, LANG, TMPDIR from the engine, plus WORKING_DIR,
//     OUTPUT_DIR and the task's `env` — engine secrets in process.env never reach a script;
//   - stdout/stderr logged line by line as they arrive (stdout INFO, stderr ERROR, as Kestra);
//   - Kestra's protocol lines `::{"outputs": …}::`, `::{"metrics": […]}::`, `::{"logs": […]}::`
//     parsed and not logged raw;
//   - the whole process group killed when the task is killed or times out (ctx.signal);
//   - `inputFiles` written before, `outputFiles` globs collected into internal storage after;
//   - a family may prepare the run once `beforeCommands` are known (python/env.ts: a virtual
//     environment cached per flow) and add default variables (PYTHONUNBUFFERED …).
import { spawn } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { promises as fs } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { StringDecoder } from 'node:string_decoder';
import { LOG_LEVELS, type LogLevel } from '../../model/execution';
import type { Logger, TaskContext } from '../types';
import { copyNamespaceFiles, type NamespaceFilesProps } from './namespace-files';

// ---------------------------------------------------------------------------------------------
// Low level: one process, streamed.

export interface ProcessOptions {
  /** argv; command[0] is looked up in PATH. */
  command: string[];
  cwd: string;
  /** The complete environment of the process (nothing is inherited). */
  env: Record<string, string>;
  signal: AbortSignal;
  logger: Logger;
  /** Time between SIGTERM and SIGKILL when the process group is killed. */
  killGraceMs?: number;
}

export interface ProcessResult {
  /** null when the process ended on a signal. */
  exitCode: number | null;
  exitSignal: NodeJS.Signals | null;
  /** Merged `::{"outputs": …}::` lines. */
  vars: Record<string, unknown>;
  /** `::{"metrics": […]}::` entries, as sent. */
  metrics: unknown[];
  stdOutCount: number;
  stdErrCount: number;
  /** The last meaningful stderr line (stack frames and runtime banners skipped), for error messages. */
  lastStdErr?: string;
  /** True when ctx.signal aborted the run. */
  aborted: boolean;
}

const PROTOCOL_LINE = /^::(\{.*\})::$/;
const MAX_LINE = 1024 * 1024;
const DRAIN_AFTER_EXIT_MS = 300;

/** Kestra's protocol: `::{"outputs":{…},"metrics":[…],"logs":[{"level":"INFO","message":"…"}]}::` on one line. */
export function parseProtocolLine(line: string): { outputs?: Record<string, unknown>; metrics?: unknown[]; logs?: unknown[] } | undefined {
  const m = PROTOCOL_LINE.exec(line);
  if (!m) return undefined;
  const parsed = JSON.parse(m[1]) as Record<string, unknown>;
  const out: { outputs?: Record<string, unknown>; metrics?: unknown[]; logs?: unknown[] } = {};
  if (parsed.outputs && typeof parsed.outputs === 'object' && !Array.isArray(parsed.outputs)) out.outputs = parsed.outputs as Record<string, unknown>;
  if (Array.isArray(parsed.metrics)) out.metrics = parsed.metrics;
  if (Array.isArray(parsed.logs)) out.logs = parsed.logs;
  return out;
}

/**
 * The level of a `::{"logs":[…]}::` entry. Kestra's libraries send TRACE, DEBUG, INFO, WARN and
 * ERROR; Python's own names (WARNING, CRITICAL, FATAL) are read too. Anything else is INFO.
 */
export function protocolLogLevel(level: unknown): LogLevel {
  if (typeof level !== 'string') return 'INFO';
  const upper = level.trim().toUpperCase();
  if (upper === 'WARNING') return 'WARN';
  if (upper === 'CRITICAL' || upper === 'FATAL' || upper === 'SEVERE') return 'ERROR';
  return LOG_LEVELS.includes(upper as LogLevel) ? (upper as LogLevel) : 'INFO';
}

export function runProcess(opts: ProcessOptions): Promise<ProcessResult> {
  const { logger, signal } = opts;
  const grace = opts.killGraceMs ?? 2000;
  const result: ProcessResult = {
    exitCode: null,
    exitSignal: null,
    vars: {},
    metrics: [],
    stdOutCount: 0,
    stdErrCount: 0,
    aborted: false,
  };

  const onLine = (line: string, isStdErr: boolean) => {
    if (line.startsWith('::') && line.endsWith('::')) {
      let parsed;
      try {
        parsed = parseProtocolLine(line);
      } catch (e) {
        logger.warn(`Invalid outputs '${(e as Error).message}' in line: ${line.length > 500 ? `${line.slice(0, 500)}…` : line}`);
        return;
      }
      if (parsed) {
        if (parsed.outputs) Object.assign(result.vars, parsed.outputs);
        if (parsed.metrics) result.metrics.push(...parsed.metrics);
        for (const entry of parsed.logs ?? []) {
          const { level, message } = (entry ?? {}) as { level?: unknown; message?: unknown };
          logger.log(protocolLogLevel(level), typeof message === 'string' ? message : JSON.stringify(message));
        }
        return;
      }
    }
    if (isStdErr) {
      result.stdErrCount++;
      if (isMeaningfulErrorLine(line)) result.lastStdErr = line.trim();
      logger.error(line);
    } else {
      result.stdOutCount++;
      logger.info(line);
    }
  };

  return new Promise<ProcessResult>((resolve, reject) => {
    if (signal.aborted) {
      result.aborted = true;
      resolve(result);
      return;
    }
    const child = spawn(opts.command[0], opts.command.slice(1), {
      cwd: opts.cwd,
      env: opts.env,
      detached: true, // its own process group, so a kill reaches the children it started
      stdio: ['ignore', 'pipe', 'pipe'],
      windowsHide: true,
    });

    const killGroup = (sig: NodeJS.Signals) => {
      if (child.pid === undefined) return;
      try {
        process.kill(-child.pid, sig);
      } catch {
        try {
          child.kill(sig);
        } catch {
          /* already gone */
        }
      }
    };

    let killTimer: NodeJS.Timeout | undefined;
    const onAbort = () => {
      result.aborted = true;
      killGroup('SIGTERM');
      killTimer = setTimeout(() => killGroup('SIGKILL'), grace);
      killTimer.unref();
    };
    signal.addEventListener('abort', onAbort, { once: true });

    const out = lineSplitter((l) => onLine(l, false));
    const err = lineSplitter((l) => onLine(l, true));
    let openStreams = 2;
    let exited = false;
    let drainTimer: NodeJS.Timeout | undefined;
    let settled = false;

    const finish = () => {
      if (settled) return;
      settled = true;
      clearTimeout(drainTimer);
      clearTimeout(killTimer);
      signal.removeEventListener('abort', onAbort);
      // Background children left behind by the script die with it.
      killGroup('SIGKILL');
      child.stdout?.destroy();
      child.stderr?.destroy();
      out.flush();
      err.flush();
      resolve(result);
    };
    const streamEnded = () => {
      openStreams--;
      if (exited && openStreams <= 0) finish();
    };
    child.stdout!.on('data', out.push);
    child.stderr!.on('data', err.push);
    child.stdout!.on('close', streamEnded);
    child.stderr!.on('close', streamEnded);

    child.on('error', (e: NodeJS.ErrnoException) => {
      if (settled) return;
      settled = true;
      clearTimeout(killTimer);
      signal.removeEventListener('abort', onAbort);
      reject(new Error(e.code === 'ENOENT' ? `Cannot start '${opts.command[0]}': command not found (PATH=${opts.env.PATH ?? ''})` : `Cannot start '${opts.command[0]}': ${e.message}`));
    });
    child.on('exit', (code, sig) => {
      exited = true;
      result.exitCode = code;
      result.exitSignal = sig;
      if (openStreams <= 0) finish();
      // Output still buffered in the pipes is read quickly; pipes held open by orphans are not waited for.
      else drainTimer = setTimeout(finish, DRAIN_AFTER_EXIT_MS);
    });
  });
}

/** Skips what ends most stderr outputs without explaining them: stack frames, blank lines, "Node.js v20…". */
function isMeaningfulErrorLine(line: string): boolean {
  const t = line.trim();
  return t !== '' && t !== '^' && !/^at\s/.test(t) && !/^Node\.js v\d/.test(t) && !/^File ".*", line \d+/.test(t);
}

function lineSplitter(emit: (line: string) => void): { push: (chunk: Buffer) => void; flush: () => void } {
  const decoder = new StringDecoder('utf8');
  let pending = '';
  const emitLine = (l: string) => emit(l.endsWith('\r') ? l.slice(0, -1) : l);
  return {
    push(chunk: Buffer) {
      pending += decoder.write(chunk);
      let nl: number;
      while ((nl = pending.indexOf('\n')) >= 0) {
        emitLine(pending.slice(0, nl));
        pending = pending.slice(nl + 1);
      }
      if (pending.length > MAX_LINE) {
        emitLine(pending);
        pending = '';
      }
    },
    flush() {
      pending += decoder.end();
      if (pending.length > 0) emitLine(pending);
      pending = '';
    },
  };
}

// ---------------------------------------------------------------------------------------------
// Environment.

/** The only variables a script inherits from the engine. */
export const INHERITED_ENV = ['PATH', 'HOME', 'LANG', 'TMPDIR'] as const;

export function scrubbedEnv(extra: Record<string, unknown> | undefined, base: NodeJS.ProcessEnv = process.env): Record<string, string> {
  const env: Record<string, string> = {};
  for (const name of INHERITED_ENV) {
    const v = base[name];
    if (v !== undefined) env[name] = v;
  }
  for (const [k, v] of Object.entries(extra ?? {})) {
    if (v !== undefined && v !== null) env[k] = typeof v === 'string' ? v : typeof v === 'object' ? JSON.stringify(v) : String(v);
  }
  return env;
}

// ---------------------------------------------------------------------------------------------
// High level: a script task run (working dir, files, commands, outputs).

/** Properties common to every script task, after the executor rendered the non-raw ones. */
export interface ScriptTaskProps {
  beforeCommands?: unknown;
  env?: Record<string, unknown>;
  interpreter?: unknown;
  inputFiles?: unknown;
  outputFiles?: unknown;
  failFast?: unknown;
  targetOS?: unknown;
  warningOnStdErr?: unknown;
  taskRunner?: { type: string; [k: string]: unknown };
  containerImage?: string;
  docker?: Record<string, unknown>;
  runner?: unknown;
  namespaceFiles?: Record<string, unknown>;
}

/** What a task sees while building its command: the run's folders and a renderer that knows them. */
export interface ScriptRun {
  workingDir: string;
  outputDir: string;
  /** A private folder of this run, outside the working directory, removed afterwards. */
  scratchDir: string;
  /** Renders a raw (unrendered) property value with `workingDir` and `outputDir` available. */
  render(raw: unknown): string;
  /** Renders a raw list property (a list, or an expression yielding a JSON list). */
  renderList(raw: unknown, name: string): string[];
  /** Writes a file in the working directory and returns its absolute path. */
  writeFile(name: string, content: string | Buffer): Promise<string>;
  /** Replaces kestra:// URIs in a text (a script's source) by local copies of the files, as Kestra does. */
  localize(text: string): Promise<string>;
}

export interface ScriptCommand {
  /** The lines handed to the interpreter, after `beforeCommands`. */
  commands: string[];
}

/** What a script family adds around the commands once `beforeCommands` are known (e.g. a Python virtual environment). */
export interface ScriptPreparation {
  /** Variables set over the task's `env` (e.g. PATH with a virtual environment first). */
  env?: Record<string, string>;
  /** Lines run right after `beforeCommands`, before the task's own commands. */
  afterBeforeCommands?: string[];
  /** Called once the process has ended, whatever the outcome (also when it could not start). */
  finish?(outcome: { exitCode: number | null; aborted: boolean }): Promise<void>;
}

export interface ScriptTaskOptions {
  /** The image Kestra would use when none is given (only named in the "ignored" note). */
  defaultImage?: string;
  /** Default environment variables of the family (Kestra's, e.g. PYTHONUNBUFFERED); the task's `env` wins. */
  env?: Record<string, string>;
  /**
   * Runs after the inputs are written and `beforeCommands` rendered, before the process starts.
   * `env` is the environment the process would get without the preparation.
   */
  prepare?(run: ScriptRun, info: { beforeCommands: string[]; env: Record<string, string> }): Promise<ScriptPreparation | void>;
}

export const PROCESS_RUNNER_TYPES = new Set(['io.kestra.plugin.core.runner.Process', 'io.kestra.core.models.tasks.runners.types.ProcessTaskRunner']);

export interface ScriptOutputs {
  exitCode: number;
  vars: Record<string, unknown>;
  outputFiles: Record<string, string>;
  metrics?: unknown[];
  [k: string]: unknown;
}

/**
 * Runs a script task: prepares the working directory, lets `build` produce the command lines,
 * runs `interpreter + [beforeCommands + lines joined by newlines]`, collects the outputs.
 */
export async function runScriptTask(
  ctx: TaskContext,
  props: ScriptTaskProps,
  build: (run: ScriptRun) => Promise<ScriptCommand> | ScriptCommand,
  options: ScriptTaskOptions = {},
): Promise<ScriptOutputs> {
  noteIgnoredRunner(ctx, props, options.defaultImage);

  const base = await fs.mkdtemp(path.join(os.tmpdir(), 'peregrine-task-'));
  const workingDir = path.join(base, 'work');
  const outputDir = path.join(base, 'outputs');
  const scratchDir = path.join(base, 'scratch');
  try {
    await fs.mkdir(workingDir);
    await fs.mkdir(outputDir);
    await fs.mkdir(scratchDir);
    await copyNamespaceFiles(ctx, props.namespaceFiles as NamespaceFilesProps | undefined, workingDir);
    const extra = { workingDir, outputDir };
    const run: ScriptRun = {
      workingDir,
      outputDir,
      scratchDir,
      render: (raw) => renderRaw(ctx, raw, extra),
      renderList: (raw, name) => renderRawList(ctx, raw, name, extra),
      writeFile: (name, content) => writeInside(workingDir, name, content),
      localize: (text) => localizeStorageUris(ctx, text, workingDir),
    };

    await writeInputFiles(ctx, run, props.inputFiles);
    const { commands } = await build(run);
    const before = run.renderList(props.beforeCommands, 'beforeCommands');
    const failFast = props.failFast === undefined || props.failFast === true || props.failFast === 'true';
    const windows = props.targetOS === 'WINDOWS' || (props.targetOS !== 'LINUX' && process.platform === 'win32');
    const interpreter = interpreterOf(props.interpreter);

    let env = scrubbedEnv({ ...(options.env ?? {}), WORKING_DIR: workingDir, OUTPUT_DIR: outputDir, ...(props.env ?? {}) });
    const preparation = (await options.prepare?.(run, { beforeCommands: before, env })) ?? {};
    let outcome: { exitCode: number | null; aborted: boolean } = { exitCode: null, aborted: ctx.signal.aborted };
    try {
      if (preparation.env) env = { ...env, ...preparation.env };
      const lines = [...(failFast && !windows ? ['set -e'] : []), ...before, ...(preparation.afterBeforeCommands ?? []), ...commands];
      const script = await run.localize(lines.join('\n'));
      const result = await runProcess({ command: [...interpreter, script], cwd: workingDir, env, signal: ctx.signal, logger: ctx.logger });
      outcome = { exitCode: result.exitCode, aborted: result.aborted };

      if (result.aborted) {
        const reason = ctx.signal.reason;
        throw reason instanceof Error ? reason : new Error(`Process killed: ${String(reason ?? 'task stopped')}`);
      }
      if (result.exitCode !== 0) {
        const how = result.exitCode === null ? `was terminated by signal ${result.exitSignal}` : `failed with exit code ${result.exitCode}`;
        throw new Error(`Command ${how}${result.lastStdErr ? `: ${result.lastStdErr}` : ''}`);
      }

      const outputFiles = await collectOutputFiles(ctx, workingDir, outputDir, outputFileGlobs(props.outputFiles));
      const outputs: ScriptOutputs = { exitCode: result.exitCode, vars: result.vars, outputFiles };
      if (result.metrics.length) outputs.metrics = result.metrics;
      return outputs;
    } finally {
      await preparation.finish?.(outcome).catch((e: unknown) => ctx.logger.warn(`Cleaning up after the script failed: ${(e as Error).message}`));
    }
  } finally {
    await fs.rm(base, { recursive: true, force: true }).catch(() => undefined);
  }
}

function noteIgnoredRunner(ctx: TaskContext, props: ScriptTaskProps, defaultImage: string | undefined): void {
  const runnerType = props.taskRunner?.type;
  const containerized = (runnerType !== undefined && !PROCESS_RUNNER_TYPES.has(runnerType)) || props.runner === 'DOCKER';
  const image = props.containerImage ?? (props.docker?.image as string | undefined);
  if (image || props.docker || containerized) {
    const what = image ? `container image '${image}'` : runnerType && containerized ? `task runner '${runnerType}'` : `container image '${defaultImage ?? 'default'}'`;
    ctx.logger.info(`The ${what} is ignored: Peregrine runs scripts as local processes (like io.kestra.plugin.core.runner.Process)`);
  }
}

function interpreterOf(raw: unknown): string[] {
  if (raw === undefined || raw === null) return ['/bin/sh', '-c'];
  let list: unknown = raw;
  if (typeof raw === 'string') {
    try {
      list = JSON.parse(raw);
    } catch {
      list = raw.trim().split(/\s+/);
    }
  }
  if (!Array.isArray(list) || list.length === 0) throw new Error('`interpreter` must be a non-empty list such as ["/bin/sh", "-c"]');
  return list.map((v) => String(v));
}

function renderRaw(ctx: TaskContext, raw: unknown, extra: Record<string, unknown>): string {
  if (raw === undefined || raw === null) return '';
  if (typeof raw !== 'string') return typeof raw === 'object' ? JSON.stringify(ctx.renderValue(raw, extra)) : String(raw);
  return ctx.render(raw, extra);
}

function renderRawList(ctx: TaskContext, raw: unknown, name: string, extra: Record<string, unknown>): string[] {
  if (raw === undefined || raw === null) return [];
  if (Array.isArray(raw)) return raw.map((item) => renderRaw(ctx, item, extra));
  if (typeof raw === 'string') {
    const rendered = ctx.render(raw, extra);
    const trimmed = rendered.trim();
    if (trimmed.startsWith('[')) {
      try {
        const list = JSON.parse(trimmed);
        if (Array.isArray(list)) return list.map((v) => (typeof v === 'string' ? v : JSON.stringify(v)));
      } catch {
        /* a command that happens to start with [ */
      }
    }
    return [rendered];
  }
  throw new Error(`\`${name}\` must be a list of strings`);
}

/** Rejects names that leave the working directory (Kestra: only relative paths). */
async function writeInside(dir: string, name: string, content: string | Buffer): Promise<string> {
  if (name.startsWith('./') || name.startsWith('..') || path.isAbsolute(name) || name.trim() === '') {
    throw new Error(`Invalid file name '${name}': only relative paths inside the working directory are allowed`);
  }
  const target = path.resolve(dir, name);
  if (!target.startsWith(dir + path.sep)) throw new Error(`Invalid file name '${name}': it leaves the working directory`);
  await fs.mkdir(path.dirname(target), { recursive: true });
  await fs.writeFile(target, content);
  return target;
}

async function writeInputFiles(ctx: TaskContext, run: ScriptRun, raw: unknown): Promise<void> {
  if (raw === undefined || raw === null) return;
  let files: Record<string, unknown>;
  if (typeof raw === 'string') {
    const rendered = run.render(raw);
    try {
      files = JSON.parse(rendered);
    } catch (e) {
      throw new Error(`\`inputFiles\` must be a map of file name → content, or JSON of one: ${(e as Error).message}`);
    }
    if (!files || typeof files !== 'object' || Array.isArray(files)) throw new Error('`inputFiles` must be a map of file name → content');
  } else if (typeof raw === 'object' && !Array.isArray(raw)) {
    files = raw as Record<string, unknown>;
  } else {
    throw new Error('`inputFiles` must be a map of file name → content');
  }
  for (const [rawName, rawContent] of Object.entries(files)) {
    if (rawContent === null || rawContent === undefined) continue;
    const name = run.render(rawName);
    const content = typeof rawContent === 'string' ? run.render(rawContent) : JSON.stringify(rawContent);
    const isUri = /^kestra:\/\/\S+$/.test(content.trim());
    await run.writeFile(name, isUri ? ctx.services.storage.get(content.trim()) : content);
  }
}

const STORAGE_URI = /kestra:\/\/[^\s"'`;|&<>()]+/g;

/** Kestra replaces internal-storage URIs in commands by local copies of the files. */
async function localizeStorageUris(ctx: TaskContext, text: string, workingDir: string): Promise<string> {
  const uris = [...new Set(text.match(STORAGE_URI) ?? [])];
  if (uris.length === 0) return text;
  const dir = path.join(workingDir, '.storage');
  await fs.mkdir(dir, { recursive: true });
  const local = new Map<string, string>();
  for (const uri of uris) {
    if (!ctx.services.storage.exists(uri)) continue;
    const file = path.join(dir, `${randomBytes(4).toString('hex')}-${path.basename(uri.replace(/[?#].*$/, '')) || 'file'}`);
    await fs.writeFile(file, ctx.services.storage.get(uri));
    local.set(uri, file);
  }
  return text.replace(STORAGE_URI, (uri) => local.get(uri) ?? uri);
}

function outputFileGlobs(raw: unknown): string[] {
  if (raw === undefined || raw === null || raw === '') return [];
  let list = raw;
  if (typeof list === 'string') {
    try {
      list = JSON.parse(list);
    } catch {
      list = [list];
    }
  }
  if (!Array.isArray(list)) throw new Error('`outputFiles` must be a list of file names or glob patterns');
  return list.map((v) => String(v));
}

/** Glob → RegExp on a POSIX relative path: `**` any depth, `*` and `?` within a segment, `{a,b}` alternatives. */
export function globToRegExp(glob: string): RegExp {
  let re = '';
  let inGroup = false;
  for (let i = 0; i < glob.length; i++) {
    const c = glob[i];
    if (c === '*') {
      if (glob[i + 1] === '*') {
        i++;
        if (glob[i + 1] === '/') {
          i++;
          re += '(?:.*/)?';
        } else re += '.*';
      } else re += '[^/]*';
    } else if (c === '?') re += '[^/]';
    else if (c === '{') {
      inGroup = true;
      re += '(?:';
    } else if (c === '}' && inGroup) {
      inGroup = false;
      re += ')';
    } else if (c === ',' && inGroup) re += '|';
    else if (c === '[') {
      const end = glob.indexOf(']', i + 1);
      if (end > i + 1) {
        let cls = glob.slice(i + 1, end).replace(/\\/g, '\\\\');
        if (cls.startsWith('!')) cls = `^${cls.slice(1)}`;
        re += `[${cls}]`;
        i = end;
      } else re += '\\[';
    } else re += c.replace(/[.+^$()|\\]/g, '\\$&');
  }
  return new RegExp(`^${re}$`);
}

async function listFiles(root: string): Promise<string[]> {
  const out: string[] = [];
  const walk = async (dir: string, rel: string) => {
    for (const entry of await fs.readdir(dir, { withFileTypes: true })) {
      const r = rel ? `${rel}/${entry.name}` : entry.name;
      if (entry.isDirectory()) {
        if (!rel && entry.name === '.storage') continue;
        await walk(path.join(dir, entry.name), r);
      } else if (entry.isFile()) out.push(r);
    }
  };
  await walk(root, '');
  return out.sort();
}

async function collectOutputFiles(ctx: TaskContext, workingDir: string, outputDir: string, globs: string[]): Promise<Record<string, string>> {
  const result: Record<string, string> = {};
  if (globs.length) {
    const patterns = globs.map((g) => globToRegExp(g.replace(/^\.\//, '')));
    for (const rel of await listFiles(workingDir)) {
      if (patterns.some((p) => p.test(rel))) result[rel] = ctx.services.storage.put(rel, await fs.readFile(path.join(workingDir, rel)));
    }
  }
  for (const rel of await listFiles(outputDir)) {
    result[rel] = ctx.services.storage.put(rel, await fs.readFile(path.join(outputDir, rel)));
  }
  return result;
}
