// Properties shared by every script task (Kestra's AbstractExecScript), for Process-runner execution.
import { z } from 'zod';
import { p } from '../schema';

const stringList = z.union([z.array(z.string()), z.string()]);

/** Properties passed unrendered to run(): rendered by the runner with `workingDir`/`outputDir` available. */
export const SCRIPT_RAW_PROPS = ['beforeCommands', 'inputFiles'];

export const scriptCommonProps = {
  beforeCommands: stringList.optional().describe('Commands run before the main ones, e.g. to install dependencies.'),
  env: p.map('Environment variables of the process (the engine environment is not passed, except PATH, HOME, LANG, TMPDIR).').optional(),
  interpreter: z
    .union([z.array(z.string()).min(1), z.string()])
    .default(['/bin/sh', '-c'])
    .describe('The interpreter that receives the commands as its last argument.'),
  inputFiles: z
    .union([z.record(z.string(), z.string().nullable()), z.string()])
    .optional()
    .describe('Files to create in the working directory: name → content (or a kestra:// URI).'),
  outputFiles: stringList.optional().describe('Files (glob patterns) of the working directory to keep in internal storage.'),
  failFast: p.bool('Stop at the first failing command (`set -e`).').default(true),
  targetOS: p.enum(['LINUX', 'WINDOWS', 'AUTO'], 'The operating system the commands are written for.').default('AUTO'),
  warningOnStdErr: p.bool('Deprecated in Kestra and without effect: stderr never changes the task state.').optional(),
  taskRunner: z
    .looseObject({ type: z.string() })
    .optional()
    .describe('Where the script runs; Peregrine always runs it as a local process (io.kestra.plugin.core.runner.Process).'),
  containerImage: p.string('Container image for container task runners (ignored locally).').optional(),
  docker: p.map('Deprecated Docker options (ignored locally).').optional(),
  runner: p.enum(['PROCESS', 'DOCKER'], 'Deprecated: use taskRunner.').optional(),
  namespaceFiles: p.map('Namespace files to copy into the working directory: {enabled, include, exclude} (the workspace\'s <namespace>/_files/ folder).').optional(),
  outputDirectory: p.bool('Deprecated: the {{ outputDir }} folder is always available.').optional(),
};
