// io.kestra.plugin.scripts.node.Commands: runs commands (node, npm …) with the local Node.js.
import { z } from 'zod';
import type { TaskDefinition } from '../../types';
import { SCRIPT_RAW_PROPS, scriptCommonProps } from '../props';
import { runScriptTask } from '../runner';

const props = z.object({
  commands: z
    .union([z.array(z.string()).min(1, 'Give at least one command'), z.string()])
    .describe('The commands to run, e.g. `node main.js`.'),
  ...scriptCommonProps,
});

export const nodeCommands: TaskDefinition<z.infer<typeof props>> = {
  kind: 'task',
  type: 'io.kestra.plugin.scripts.node.Commands',
  title: 'Node.js commands',
  description: 'Runs Node.js commands in a fresh working directory; files from `inputFiles` are there to run.',
  category: 'Scripts',
  icon: 'hexagon',
  props,
  rawProps: ['commands', ...SCRIPT_RAW_PROPS],
  examples: [
    {
      title: 'Run a file from inputFiles',
      code:
        'id: main\ntype: io.kestra.plugin.scripts.node.Commands\ninputFiles:\n  main.js: |\n    console.log("hello from", process.version);\n' +
        'commands:\n  - node main.js',
    },
  ],
  outputs: {
    exitCode: 'The exit code of the last command (0).',
    vars: 'Values sent with ::{"outputs":{…}}:: lines.',
    outputFiles: 'Kept files: name → kestra:// URI.',
    metrics: 'Metrics sent with ::{"metrics":[…]}:: lines.',
  },
  async run(ctx, props) {
    return runScriptTask(ctx, props, (run) => ({ commands: run.renderList(props.commands, 'commands') }), { defaultImage: 'node' });
  },
};
