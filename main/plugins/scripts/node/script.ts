// io.kestra.plugin.scripts.node.Script: runs an inline Node.js script (written to a .js file, run with `node`).
import { randomBytes } from 'node:crypto';
import { z } from 'zod';
import type { TaskDefinition } from '../../types';
import { SCRIPT_RAW_PROPS, scriptCommonProps } from '../props';
import { runScriptTask } from '../runner';

const props = z.object({
  script: z.string().min(1, 'The script must not be empty').describe('The JavaScript source to run (its content, not a file path).'),
  ...scriptCommonProps,
});

export const nodeScript: TaskDefinition<z.infer<typeof props>> = {
  kind: 'task',
  type: 'io.kestra.plugin.scripts.node.Script',
  title: 'Node.js script',
  description: 'Runs an inline Node.js script with the local `node`; print `::{"outputs":{…}}::` to set the output `vars`.',
  category: 'Scripts',
  icon: 'hexagon',
  props,
  rawProps: ['script', ...SCRIPT_RAW_PROPS],
  examples: [
    {
      title: 'Compute a value',
      code:
        'id: score\ntype: io.kestra.plugin.scripts.node.Script\nscript: |\n' +
        '  const order = JSON.parse(process.env.ORDER);\n  console.log("::" + JSON.stringify({ outputs: { score: order.amount / 100 } }) + "::");\n' +
        'env:\n  ORDER: "{{ trigger.value }}"',
    },
  ],
  outputs: {
    exitCode: 'The exit code of the script (0).',
    vars: 'Values sent with ::{"outputs":{…}}:: lines.',
    outputFiles: 'Kept files: name → kestra:// URI.',
    metrics: 'Metrics sent with ::{"metrics":[…]}:: lines.',
  },
  async run(ctx, props) {
    return runScriptTask(
      ctx,
      props,
      async (run) => {
        // kestra:// URIs in the source become local copies of the files, as in Kestra.
        const source = await run.localize(run.render(props.script));
        const file = await run.writeFile(`script-${randomBytes(4).toString('hex')}.js`, source);
        return { commands: [`node ${quote(file)}`] };
      },
      { defaultImage: 'node' },
    );
  },
};

const quote = (s: string) => `'${s.replace(/'/g, `'\\''`)}'`;
