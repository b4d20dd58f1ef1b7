// io.kestra.plugin.scripts.python.Commands: runs commands (python main.py, …) with the local Python,
// after beforeCommands / dependencies installed into the flow's cached virtual environment.
import { z } from 'zod';
import type { TaskDefinition } from '../../types';
import { SCRIPT_RAW_PROPS } from '../props';
import { runScriptTask } from '../runner';
import { pythonOutputs, pythonProps, pythonRunOptions } from './props';

const props = z.object({
  commands: z
    .union([z.array(z.string()).min(1, 'Give at least one command'), z.string()])
    .describe('The commands to run, e.g. `python main.py`.'),
  ...pythonProps,
});

export const pythonCommands: TaskDefinition<z.infer<typeof props>> = {
  kind: 'task',
  type: 'io.kestra.plugin.scripts.python.Commands',
  title: 'Python commands',
  description:
    'Runs Python commands in a fresh working directory (files from `inputFiles` are there). `python` and `pip` are those of a virtual environment cached per flow when beforeCommands or dependencies install packages.',
  category: 'Scripts',
  icon: 'python',
  props,
  rawProps: ['commands', ...SCRIPT_RAW_PROPS],
  examples: [
    {
      title: 'Run a file from inputFiles with an argument',
      code:
        'id: etl\ntype: io.kestra.plugin.scripts.python.Commands\ntaskRunner:\n  type: io.kestra.plugin.core.runner.Process\n' +
        'inputFiles:\n  main.py: |\n    import sys\n    from kestra import Kestra\n    Kestra.outputs({"doubled": int(sys.argv[1]) * 2})\n' +
        'beforeCommands:\n  - pip install kestra\ncommands:\n  - python main.py 21',
    },
  ],
  outputs: pythonOutputs,
  async run(ctx, props) {
    return runScriptTask(ctx, props, (run) => ({ commands: run.renderList(props.commands, 'commands') }), pythonRunOptions(ctx, props));
  },
};
