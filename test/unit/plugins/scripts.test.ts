import { readFileSync } from 'node:fs';
import { afterAll, describe, expect, it } from 'vitest';
import { nodeCommands } from '../../../main/plugins/scripts/node/commands';
import { nodeScript } from '../../../main/plugins/scripts/node/script';
import { globToRegExp, parseProtocolLine, runProcess, scrubbedEnv } from '../../../main/plugins/scripts/runner';
import { shellCommands } from '../../../main/plugins/scripts/shell/commands';
import { shellScript } from '../../../main/plugins/scripts/shell/script';
import { cleanupTestContexts, createTestContext, prepareProps, runTask } from './context';

afterAll(cleanupTestContexts);

describe('shell Commands', () => {
  it('logs stdout at INFO and stderr at ERROR, line by line, and returns exitCode', async () => {
    const { outputs, t } = await runTask(shellCommands, {
      commands: ['echo "hello {{ inputs.name }}"', 'echo oops >&2', 'printf "a\\nb"'],
    }, { variables: { inputs: { name: 'Ada' } } });
    expect(outputs).toEqual({ exitCode: 0, vars: {}, outputFiles: {} });
    // stdout and stderr are two pipes: their relative order is not guaranteed, each one's is.
    expect(t.messages('INFO')).toEqual(['hello Ada', 'a', 'b']);
    expect(t.messages('ERROR')).toEqual(['oops']);
    expect(t.logs).toHaveLength(4);
  });

  it('turns ::{"outputs"}:: lines into vars, keeps metrics, logs ::{"logs"}:: entries and never logs the raw lines', async () => {
    const { outputs, t } = await runTask(shellCommands, {
      commands: [
        `echo '::{"outputs":{"test":"value","int":2,"bool":true,"float":3.65}}::'`,
        `echo '::{"outputs":{"int":3,"obj":{"a":[1]}}}::'`,
        `echo '::{"metrics":[{"name":"count","type":"counter","value":1,"tags":{"tag1":"i"}}]}::'`,
        `echo '::{"logs":[{"level":"WARN","message":"careful"},{"level":"DEBUG","message":"details"}]}::'`,
        `echo '::{broken}::'`,
        'echo done',
      ],
    });
    expect(outputs!.vars).toEqual({ test: 'value', int: 3, bool: true, float: 3.65, obj: { a: [1] } });
    expect(outputs!.metrics).toEqual([{ name: 'count', type: 'counter', value: 1, tags: { tag1: 'i' } }]);
    expect(t.logs.filter((l) => !l.message.startsWith('Invalid outputs'))).toEqual([
      { level: 'WARN', message: 'careful' },
      { level: 'DEBUG', message: 'details' },
      { level: 'INFO', message: 'done' },
    ]);
    expect(t.messages('WARN').some((m) => m.startsWith('Invalid outputs'))).toBe(true);
  });

  it('fails with the exit code and the last stderr line, stopping at the first failing command', async () => {
    const run = runTask(shellCommands, { commands: ['echo first', 'echo "cannot open file" >&2', 'exit 3', 'echo never'] });
    await expect(run).rejects.toThrow('Command failed with exit code 3: cannot open file');
    const { t } = await runTask(shellCommands, { commands: ['false', 'echo still-running'], failFast: false });
    expect(t.messages('INFO')).toEqual(['still-running']);
    await expect(runTask(shellCommands, { commands: ['false', 'echo no'] })).rejects.toThrow('exit code 1');
  });

  it('runs beforeCommands first and passes env; the engine environment is scrubbed', async () => {
    process.env.PEREGRINE_TEST_SECRET = 'do-not-leak';
    try {
      const { t } = await runTask(shellCommands, {
        beforeCommands: ['echo before'],
        env: { GREETING: 'hi {{ inputs.who }}', COUNT: 3 },
        commands: [
          'echo "secret=${PEREGRINE_TEST_SECRET:-unset}"',
          'echo "greeting=$GREETING count=$COUNT"',
          'test -n "$PATH" && echo path-ok',
          'echo "wd=$(pwd | grep -c peregrine-task-) out=${OUTPUT_DIR:+set}"',
          'env | cut -d= -f1 | sort | tr "\\n" " "',
        ],
      }, { variables: { inputs: { who: 'you' } } });
      const lines = t.messages('INFO');
      expect(lines.slice(0, 5)).toEqual(['before', 'secret=unset', 'greeting=hi you count=3', 'path-ok', 'wd=1 out=set']);
      const names = lines[5].trim().split(' ').filter((n) => !['PWD', 'SHLVL', 'OLDPWD', '_'].includes(n));
      const allowed = ['PATH', 'HOME', 'LANG', 'TMPDIR', 'WORKING_DIR', 'OUTPUT_DIR', 'GREETING', 'COUNT'];
      expect(names.every((n) => allowed.includes(n)), names.join(',')).toBe(true);
    } finally {
      delete process.env.PEREGRINE_TEST_SECRET;
    }
  });

  it('kills the whole process group within a second of the abort', async () => {
    const controller = new AbortController();
    const t = createTestContext({ controller });
    const props = prepareProps(shellCommands, { commands: ['sleep 30 &', 'echo "started $!"', 'wait', 'echo never'] }, t.ctx);
    const started = Date.now();
    const run = shellCommands.run!(t.ctx, props);
    await waitFor(() => t.messages('INFO').some((m) => m.startsWith('started')));
    const sleepPid = Number(t.messages('INFO')[0].split(' ')[1]);
    expect(isAlive(sleepPid)).toBe(true);
    const abortedAt = Date.now();
    controller.abort(new Error('Task timed out after PT1S'));
    await expect(run).rejects.toThrow('Task timed out after PT1S');
    expect(Date.now() - abortedAt).toBeLessThan(1000);
    expect(Date.now() - started).toBeLessThan(5000);
    expect(t.messages('INFO')).not.toContain('never');
    await waitFor(() => !isAlive(sleepPid), 1000);
  });

  it('collects outputFiles globs and {{ outputDir }} into internal storage, then removes the working directory', async () => {
    const { outputs, t } = await runTask(shellCommands, {
      outputFiles: ['*.csv', 'sub/**', 'missing.txt'],
      commands: [
        'echo "a,b" > data.csv',
        'echo skip > notes.txt',
        'mkdir -p sub/deep && echo x > sub/deep/x.json',
        'echo "{{ workingDir }}" > where.txt',
        'echo report > {{ outputDir }}/report.txt',
      ],
    });
    const files = outputs!.outputFiles as Record<string, string>;
    expect(Object.keys(files).sort()).toEqual(['data.csv', 'report.txt', 'sub/deep/x.json']);
    expect(t.storage.get(files['data.csv']).toString()).toBe('a,b\n');
    expect(t.storage.get(files['report.txt']).toString()).toBe('report\n');
    expect(files['data.csv']).toMatch(/^kestra:\/\//);
    const workDirs = t.logs.map((l) => l.message).filter((m) => m.includes('peregrine-task-'));
    expect(workDirs).toEqual([]);
  });

  it('writes inputFiles (text or kestra:// URIs) and replaces kestra:// URIs in commands by local copies', async () => {
    const t = createTestContext({ variables: { inputs: { name: 'Ada' } } });
    const uri = t.storage.put('orders.csv', 'id\n1\n2\n');
    const props = prepareProps(shellCommands, {
      inputFiles: { 'conf/app.txt': 'name={{ inputs.name }}\n', 'copy.csv': uri },
      commands: ['cat conf/app.txt', 'wc -l < copy.csv | tr -d " "', `cat ${uri} | tail -1`, 'pwd > ../pwd.txt'],
    }, t.ctx);
    const outputs = await shellCommands.run!(t.ctx, props);
    expect(t.messages('INFO')).toEqual(['name=Ada', '3', '2']);
    expect(outputs).toMatchObject({ exitCode: 0 });
    await expect(runTask(shellCommands, { inputFiles: { '../escape.txt': 'x' }, commands: ['true'] })).rejects.toThrow(/Invalid file name/);
  });

  it('accepts a Docker task runner or containerImage and says it is ignored locally', async () => {
    const { t } = await runTask(shellCommands, {
      taskRunner: { type: 'io.kestra.plugin.scripts.runner.docker.Docker', pullPolicy: 'IF_NOT_PRESENT' },
      containerImage: 'ubuntu:22.04',
      commands: ['echo ok'],
    });
    expect(t.messages('INFO')).toEqual([
      "The container image 'ubuntu:22.04' is ignored: Peregrine runs scripts as local processes (like io.kestra.plugin.core.runner.Process)",
      'ok',
    ]);
    const quiet = await runTask(shellCommands, { taskRunner: { type: 'io.kestra.plugin.core.runner.Process' }, commands: ['echo ok'] });
    expect(quiet.t.messages()).toEqual(['ok']);
  });

  it('explains a missing interpreter', async () => {
    await expect(runTask(shellCommands, { interpreter: ['/no/such/shell', '-c'], commands: ['true'] })).rejects.toThrow(/Cannot start '\/no\/such\/shell'/);
  });
});

describe('shell Script', () => {
  it('runs an inline script with the interpreter', async () => {
    const { outputs, t } = await runTask(shellScript, {
      script: 'for i in 1 2; do echo "line $i"; done\necho \'::{"outputs":{"n":2}}::\'',
      interpreter: ['/bin/sh', '-c'],
    });
    expect(t.messages('INFO')).toEqual(['line 1', 'line 2']);
    expect(outputs!.vars).toEqual({ n: 2 });
  });
});

describe('node Script and Commands', () => {
  it('runs an inline Node.js script and reads its outputs', async () => {
    const { outputs, t } = await runTask(nodeScript, {
      env: { ORDER: '{{ trigger.value }}' },
      script: [
        'const order = JSON.parse(process.env.ORDER);',
        'console.log("amount", order.amount);',
        'console.error("a warning");',
        'console.log("::" + JSON.stringify({ outputs: { score: order.amount / 100 } }) + "::");',
      ].join('\n'),
    }, { variables: { trigger: { value: '{"amount": 250}' } } });
    expect(outputs).toMatchObject({ exitCode: 0, vars: { score: 2.5 } });
    expect(t.messages('INFO')).toEqual(['amount 250']);
    expect(t.messages('ERROR')).toEqual(['a warning']);
    expect(t.logs).toHaveLength(2);
  });

  it('fails on an exception with its message', async () => {
    await expect(runTask(nodeScript, { script: 'throw new Error("bad input")' })).rejects.toThrow('Command failed with exit code 1: Error: bad input');
  });

  it('runs commands on files from inputFiles', async () => {
    const { outputs, t } = await runTask(nodeCommands, {
      inputFiles: { 'main.js': 'require("fs").writeFileSync("out.json", JSON.stringify({ v: process.argv[2] })); console.log("wrote");' },
      commands: ['node main.js {{ inputs.v }}'],
      outputFiles: ['out.json'],
    }, { variables: { inputs: { v: 'x1' } } });
    expect(t.messages('INFO')).toEqual(['wrote']);
    const files = outputs!.outputFiles as Record<string, string>;
    expect(JSON.parse(t.storage.get(files['out.json']).toString())).toEqual({ v: 'x1' });
  });
});

describe('runner helpers', () => {
  it('parses protocol lines', () => {
    expect(parseProtocolLine('::{"outputs":{"a":1}}::')).toEqual({ outputs: { a: 1 } });
    expect(parseProtocolLine('::not protocol')).toBeUndefined();
    expect(parseProtocolLine('x ::{"outputs":{}}::')).toBeUndefined();
    expect(() => parseProtocolLine('::{bad}::')).toThrow();
  });

  it('matches globs like Kestra outputFiles', () => {
    expect(globToRegExp('*.csv').test('a.csv')).toBe(true);
    expect(globToRegExp('*.csv').test('dir/a.csv')).toBe(false);
    expect(globToRegExp('**.csv').test('dir/a.csv')).toBe(true);
    expect(globToRegExp('**/*.csv').test('a.csv')).toBe(true);
    expect(globToRegExp('out/**').test('out/x/y.txt')).toBe(true);
    expect(globToRegExp('{a,b}.txt').test('b.txt')).toBe(true);
    expect(globToRegExp('file?.txt').test('file1.txt')).toBe(true);
    expect(globToRegExp('a.txt').test('abtxt')).toBe(false);
  });

  it('keeps only PATH, HOME, LANG and TMPDIR of the engine environment', () => {
    expect(scrubbedEnv({ A: 1, B: null }, { PATH: '/bin', HOME: '/h', AWS_SECRET_ACCESS_KEY: 'x', LANG: 'C' })).toEqual({ PATH: '/bin', HOME: '/h', LANG: 'C', A: '1' });
  });

  it('runProcess resolves at exit even when a background child keeps the pipes open', async () => {
    const t = createTestContext();
    const started = Date.now();
    const r = await runProcess({ command: ['/bin/sh', '-c', 'sleep 30 & echo bye'], cwd: process.cwd(), env: scrubbedEnv({}), signal: t.ctx.signal, logger: t.ctx.logger });
    expect(r.exitCode).toBe(0);
    expect(t.messages()).toEqual(['bye']);
    expect(Date.now() - started).toBeLessThan(3000);
  });
});

/** Running (a zombie waiting for its reaper counts as dead). */
function isAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
  } catch {
    return false;
  }
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    return stat.slice(stat.lastIndexOf(')') + 2)[0] !== 'Z';
  } catch {
    return true;
  }
}

async function waitFor(cond: () => boolean, ms = 5000): Promise<void> {
  const end = Date.now() + ms;
  while (!cond()) {
    if (Date.now() > end) throw new Error('condition not met in time');
    await new Promise((r) => setTimeout(r, 10));
  }
}

