// io.kestra.plugin.scripts.shell.Script: runs an inline shell script.
import { z } from 'zod';
import type { TaskDefinition } from '../../types';
import { SCRIPT_RAW_PROPS, scriptCommonProps } from '../props';
import { runScriptTask } from '../runner';

const props = z.object({
  script: z.string().min(1, 'The script must not be empty').describe('The shell script to run (its content, not a file path).'),
  ...scriptCommonProps,
});

export const shellScript: TaskDefinition<z.infer<typeof props>> = {
  kind: 'task',
  type: 'io.kestra.plugin.scripts.shell.Script',
  title: 'Shell script',
  description: 'Runs an inline shell script in a fresh working directory; `::{"outputs":{…}}::` lines become the output `vars`.',
  category: 'Scripts',
  icon: 'terminal',
  props,
  rawProps: ['script', ...SCRIPT_RAW_PROPS],
  examples: [
    {
      title: 'Write a file and keep it',
      code:
        'id: report\ntype: io.kestra.plugin.scripts.shell.Script\noutputFiles:\n  - report.txt\nscript: |\n' +
        '  echo "execution {{ execution.id }}" > report.txt\n  echo \'::{"outputs":{"lines":1}}::\'',
    },
  ],
  outputs: {
    exitCode: 'The exit code of the script (0).',
    vars: 'Values sent with ::{"outputs":{…}}:: lines.',
    outputFiles: 'Kept files: name → kestra:// URI.',
    metrics: 'Metrics sent with ::{"metrics":[…]}:: lines.',
  },
  async run(ctx, props) {
    return runScriptTask(ctx, props, (run) => ({ commands: [run.render(props.script)] }), { defaultImage: 'ubuntu' });
  },
};
