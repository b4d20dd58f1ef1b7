// io.kestra.plugin.scripts.python.Script: runs an inline Python script (written to a .py file in
// the working directory, run with `python`), as a local process. `from kestra import Kestra` works
// once the `kestra` package is installed (beforeCommands: pip install kestra, or dependencies).
import { randomBytes } from 'node:crypto';
import { z } from 'zod';
import type { TaskDefinition } from '../../types';
import { SCRIPT_RAW_PROPS } from '../props';
import { runScriptTask } from '../runner';
import { pythonOutputs, pythonProps, pythonRunOptions, quote } from './props';

const props = z.object({
  script: z
    .string()
    .min(1, 'The script must not be empty')
    .describe('The Python source to run (its content, not a file path: to run a file, use python.Commands).'),
  ...pythonProps,
});

export const pythonScript: TaskDefinition<z.infer<typeof props>> = {
  kind: 'task',
  type: 'io.kestra.plugin.scripts.python.Script',
  title: 'Python script',
  description:
    'Runs an inline Python script with the local Python. Kestra.outputs({…}) (or a ::{"outputs":{…}}:: line) sets the output `vars`; counters and timers become `metrics`; Kestra.logger() lines keep their level. beforeCommands and dependencies install into a virtual environment cached per flow.',
  category: 'Scripts',
  icon: 'python',
  props,
  rawProps: ['script', ...SCRIPT_RAW_PROPS],
  examples: [
    {
      title: 'Score an event and output the result',
      code:
        'id: score\ntype: io.kestra.plugin.scripts.python.Script\ntaskRunner:\n  type: io.kestra.plugin.core.runner.Process\n' +
        'env:\n  READING: "{{ trigger.payload | toJson }}"\nscript: |\n  import json, os\n' +
        '  reading = json.loads(os.environ["READING"])\n  score = min(1.0, reading["temperature"] / 100)\n' +
        '  print("::" + json.dumps({"outputs": {"score": score, "anomaly": score > 0.8}}) + "::")',
    },
    {
      title: "Kestra's Python library: outputs, metrics and logs",
      code:
        'id: python_kestra_lib\ntype: io.kestra.plugin.scripts.python.Script\ntaskRunner:\n  type: io.kestra.plugin.core.runner.Process\n' +
        'beforeCommands:\n  - pip install kestra\nscript: |\n  from kestra import Kestra\n' +
        '  Kestra.outputs({"rows": 42})\n  Kestra.counter("rows", 42, {"source": "orders"})\n  Kestra.timer("load", 1.5)\n' +
        '  Kestra.logger().warning("3 rows were skipped")',
    },
    {
      title: 'Install dependencies once per flow and keep an output file',
      code:
        'id: report\ntype: io.kestra.plugin.scripts.python.Script\ndependencies:\n  - requests\noutputFiles:\n  - report.json\n' +
        'script: |\n  import json, requests\n  status = requests.get("https://kestra.io").status_code\n' +
        '  json.dump({"status": status}, open("report.json", "w"))',
    },
  ],
  outputs: pythonOutputs,
  async run(ctx, props) {
    return runScriptTask(
      ctx,
      props,
      async (run) => {
        // kestra:// URIs in the source become local copies of the files, as in Kestra.
        const source = await run.localize(run.render(props.script));
        const file = await run.writeFile(`script-${randomBytes(4).toString('hex')}.py`, source);
        return { commands: [`python ${quote(file)}`] };
      },
      pythonRunOptions(ctx, props),
    );
  },
};
