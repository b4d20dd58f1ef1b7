// io.kestra.plugin.scripts.shell.Commands: runs one or more shell commands.
import { z } from 'zod';
import type { TaskDefinition } from '../../types';
import { SCRIPT_RAW_PROPS, scriptCommonProps } from '../props';
import { runScriptTask } from '../runner';

const props = z.object({
  commands: z
    .union([z.array(z.string()).min(1, 'Give at least one command'), z.string()])
    .describe('The commands to run, one after the other.'),
  ...scriptCommonProps,
});

export const shellCommands: TaskDefinition<z.infer<typeof props>> = {
  kind: 'task',
  type: 'io.kestra.plugin.scripts.shell.Commands',
  title: 'Shell commands',
  description: 'Runs shell commands in a fresh working directory; `::{"outputs":{…}}::` lines become the output `vars`.',
  category: 'Scripts',
  icon: 'terminal',
  props,
  rawProps: ['commands', ...SCRIPT_RAW_PROPS],
  examples: [
    {
      title: 'Output a variable',
      code:
        'id: count\ntype: io.kestra.plugin.scripts.shell.Commands\ntaskRunner:\n  type: io.kestra.plugin.core.runner.Process\ncommands:\n' +
        '  - echo \'::{"outputs":{"count":3}}::\'',
    },
  ],
  outputs: {
    exitCode: 'The exit code of the last command (0).',
    vars: 'Values sent with ::{"outputs":{…}}:: lines.',
    outputFiles: 'Kept files: name → kestra:// URI.',
    metrics: 'Metrics sent with ::{"metrics":[…]}:: lines.',
  },
  async run(ctx, props) {
    return runScriptTask(ctx, props, (run) => ({ commands: run.renderList(props.commands, 'commands') }), { defaultImage: 'ubuntu' });
  },
};
