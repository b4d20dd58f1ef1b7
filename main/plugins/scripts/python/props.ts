// Properties and run options shared by io.kestra.plugin.scripts.python.Script and .Commands
// (Kestra's AbstractPythonExecScript / PythonBasedPlugin), for Process-runner execution.
import path from 'node:path';
import { z } from 'zod';
import { p } from '../../schema';
import type { TaskContext } from '../../types';
import { scriptCommonProps } from '../props';
import type { ScriptPreparation, ScriptRun, ScriptTaskOptions, ScriptTaskProps } from '../runner';
import { acquireVenv, pythonCommandFolder, resolvePython } from './env';

/** Kestra's default image for Python tasks (PythonBasedPlugin.DEFAULT_IMAGE); ignored locally. */
export const PYTHON_DEFAULT_IMAGE = 'python:3.13-slim';

export const pythonProps = {
  ...scriptCommonProps,
  containerImage: p
    .string(`The container image for container task runners (Kestra's default: ${PYTHON_DEFAULT_IMAGE}). Ignored locally: the Python in PATH runs the script.`)
    .optional(),
  beforeCommands: scriptCommonProps.beforeCommands.describe(
    "Commands run before the main ones, e.g. `pip install requests`. They run inside a Python virtual environment cached per flow (under the data folder) and reused while beforeCommands do not change, so a package is downloaded once, not on every execution.",
  ),
  dependencies: z
    .union([z.array(z.string()), z.string()])
    .optional()
    .describe('pip requirement specifiers (e.g. `pandas==2.2.3`, `requests>=2.28`) installed before the script, into the flow\'s cached virtual environment.'),
  pythonVersion: z
    .union([z.string(), z.number()])
    .optional()
    .describe('The Python version to run, e.g. "3.12" (quote it: 3.10 unquoted is the number 3.1). Locally `python<version>` from PATH is used; when it is not installed, the default python3 runs the script, with a warning.'),
  dependencyCacheEnabled: p
    .bool('Whether the virtual environment (beforeCommands, dependencies) is cached and reused across executions of the flow; false creates a fresh one for every run.')
    .default(true),
  packageManager: p
    .enum(['UV', 'PIP'], 'The package manager for `dependencies`. Peregrine installs with pip into the virtual environment either way (Kestra, too, falls back to pip when uv is missing).')
    .default('UV'),
  uvAutoInstallEnabled: p.bool('Kestra: download uv when it is missing. No effect locally (dependencies are installed with pip).').optional(),
  uvInstallerVersion: p.string('Kestra: the uv version to download. No effect locally.').optional(),
  uvInstallerSha256: p.string('Kestra: the checksum of the uv installer. No effect locally.').optional(),
};

export interface PythonTaskProps extends ScriptTaskProps {
  dependencies?: string[] | string;
  pythonVersion?: string | number;
  dependencyCacheEnabled?: boolean | string;
  packageManager?: string;
}

/** Environment variables Kestra sets for Python tasks. */
export const PYTHON_ENV = {
  PYTHONUNBUFFERED: 'true',
  PIP_ROOT_USER_ACTION: 'ignore',
  PIP_DISABLE_PIP_VERSION_CHECK: '1',
};

export const pythonOutputs = {
  exitCode: 'The exit code of the process (0).',
  vars: 'Values sent with Kestra.outputs({…}) or ::{"outputs":{…}}:: lines.',
  outputFiles: 'Kept files: name → kestra:// URI.',
  metrics: 'Counters, timers and gauges sent with Kestra.counter/timer/gauge or ::{"metrics":[…]}:: lines, as sent.',
};

/** The run options of a Python task: Kestra's environment, and the interpreter / virtual environment. */
export function pythonRunOptions(ctx: TaskContext, props: PythonTaskProps): ScriptTaskOptions {
  return {
    defaultImage: PYTHON_DEFAULT_IMAGE,
    env: PYTHON_ENV,
    prepare: (run, info) => preparePython(ctx, props, run, info),
  };
}

async function preparePython(
  ctx: TaskContext,
  props: PythonTaskProps,
  run: ScriptRun,
  info: { beforeCommands: string[]; env: Record<string, string> },
): Promise<ScriptPreparation> {
  const version = props.pythonVersion === undefined || props.pythonVersion === null ? undefined : String(props.pythonVersion);
  const python = await resolvePython(info.env, version, ctx.logger);
  const dependencies = listOf(props.dependencies);
  const PATH = info.env.PATH ?? '';
  if (info.beforeCommands.length === 0 && dependencies.length === 0) {
    // Nothing to install: the system Python, no virtual environment (the fast path of a scoring script).
    const folder = await pythonCommandFolder(ctx.services.dataDir, python, PATH);
    return folder ? { env: { PATH: PATH ? `${PATH}${path.delimiter}${folder}` : folder } } : {};
  }
  const cache = !(props.dependencyCacheEnabled === false || props.dependencyCacheEnabled === 'false');
  // The run's folders change every run: they must not change the cache key.
  const stable = (s: string) => s.split(run.workingDir).join('{{workingDir}}').split(run.outputDir).join('{{outputDir}}');
  const venv = await acquireVenv({
    dataDir: ctx.services.dataDir,
    namespace: ctx.flow.namespace,
    flowId: ctx.flow.id,
    python,
    beforeCommands: info.beforeCommands.map(stable),
    dependencies,
    env: info.env,
    logger: ctx.logger,
    signal: ctx.signal,
    cache,
    scratchDir: run.scratchDir,
  });
  return {
    env: { PATH: `${venv.bin}${path.delimiter}${PATH}`, VIRTUAL_ENV: venv.dir },
    afterBeforeCommands: venv.readyLine ? [venv.readyLine] : [],
    finish: () => venv.release(),
  };
}

/** A list property given as a list, a JSON list, or one string of space/newline-separated items. */
function listOf(raw: unknown): string[] {
  if (raw === undefined || raw === null || raw === '') return [];
  if (Array.isArray(raw)) return raw.map((v) => String(v).trim()).filter(Boolean);
  const text = String(raw).trim();
  if (text.startsWith('[')) {
    try {
      const list = JSON.parse(text);
      if (Array.isArray(list)) return list.map((v) => String(v).trim()).filter(Boolean);
    } catch {
      // not JSON: items separated by blanks
    }
  }
  return text.split(/\s+/).filter(Boolean);
}

export const quote = (s: string) => `'${s.replace(/'/g, `'\\''`)}'`;
