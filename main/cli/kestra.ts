// `peregrine deploy | pull | export | import | export-execution | gallery`: the path from a
// prototype here to production on Kestra, and sharing flows and failing cases as files.
import fs from 'node:fs';
import path from 'node:path';
import { Option, type Command } from 'commander';
import { formatError } from '../flow';
import {
  deployFlows, describeGalleryFlow, environmentSecrets, exportExecution, exportFlows, formatDeployReport, formatImportPlan,
  formatPullResults, importFailed, listGallery, planImport, pullFlows, readNamespaceFiles, setNamespace, storeSecrets, workspaceFlows, workspaceNamespaceFiles,
  type KestraAuth, type LocalSecret,
} from '../kestra';
import { createRegistry } from '../plugins';
import { listFlowFiles, parseFlowSource } from '../runtime/workspace';
import { Store } from '../store';

interface ServerOpts { server: string; user?: string; password?: string; token?: string; tenant?: string }

function serverOptions(cmd: Command): Command {
  return cmd
    .requiredOption('--server <url>', "the Kestra server's URL, e.g. http://localhost:8080")
    .addOption(new Option('--user <user>', 'basic auth user (Kestra OSS)').env('KESTRA_USER').conflicts('token'))
    .addOption(new Option('--password <password>', 'basic auth password').env('KESTRA_PASSWORD'))
    .addOption(new Option('--token <token>', 'API token, sent as a Bearer token (Kestra EE / Cloud)').env('KESTRA_API_TOKEN'))
    .option('--tenant <tenant>', 'use the tenant paths /api/v1/<tenant>/… of newer Kestra versions (OSS: main)');
}

function auth(opts: ServerOpts): KestraAuth | undefined {
  if (opts.token) return { token: opts.token };
  if (opts.user !== undefined) return { user: opts.user, password: opts.password ?? '' };
  return undefined;
}

function fail(message: string): void {
  console.error(`peregrine: ${message}`);
  process.exitCode = 1;
}

/** Values of the local secret store (when the data folder has one) and of SECRET_* variables. */
function localSecrets(dataDir: string): LocalSecret[] {
  const secrets = environmentSecrets();
  if (!fs.existsSync(path.join(dataDir, 'peregrine.db'))) return secrets;
  let store: Store | undefined;
  try {
    store = new Store({ dataDir });
    return [...secrets, ...storeSecrets(store)];
  } catch (e) {
    console.error(`peregrine: warning: cannot read the secret store in ${dataDir} (${(e as Error).message}); only SECRET_* variables are guarded`);
    return secrets;
  } finally {
    void store?.close(); // only read from: nothing waits to be written
  }
}

export function registerKestraCommands(program: Command, defaults: { dataDir: () => string }): void {
  const dataDirOption = () => new Option('--data-dir <dir>', 'where executions, logs, files and secrets are kept').default(defaults.dataDir());
  const flowsOption = (what: string, defaulted = true) =>
    new Option('--flows <dir>', defaulted ? `${what} (default: <data-dir>/flows, as peregrine server)` : what);
  const flowsDirOf = (opts: { flows?: string; dataDir: string }) => opts.flows ?? path.join(opts.dataDir, 'flows');

  serverOptions(
    program
      .command('deploy')
      .description("create or update flows on a Kestra server through its REST API; prints Kestra's validation errors as file: message, exits 1 on any failure")
      .argument('[files...]', 'YAML flow files or folders'),
  )
    .addOption(flowsOption('deploy every flow of this workspace folder', false))
    .option('--namespace <ns>', "deploy into this namespace (rewrites each flow's namespace: line, comments kept)")
    .option('--namespace-files <dir>', 'upload these namespace files: <dir>/<namespace>/<path> (with --namespace: <dir>/<path>); default: the workspace\'s <namespace>/_files/ for flows with namespaceFiles enabled')
    .option('--no-validate', "skip Kestra's validation endpoint (create or update straight away)")
    .option('--dry-run', 'only validate on the server; create or update nothing')
    .addOption(dataDirOption())
    .action(async (files: string[], opts: ServerOpts & { flows?: string; namespace?: string; namespaceFiles?: string; validate: boolean; dryRun?: boolean; dataDir: string }) => {
      const paths = [...files.flatMap((f) => (fs.existsSync(f) && fs.statSync(f).isDirectory() ? listFlowFiles(f) : [f])), ...(opts.flows ? listFlowFiles(opts.flows) : [])];
      if (!paths.length) return fail('nothing to deploy: give flow files, folders, or --flows DIR');
      const items = [];
      for (const file of paths) {
        if (!fs.existsSync(file)) return fail(`${file}: no such file`);
        items.push({ label: file, source: fs.readFileSync(file, 'utf8') });
      }
      if (opts.namespaceFiles && !fs.existsSync(opts.namespaceFiles)) return fail(`${opts.namespaceFiles}: no such folder`);
      const report = await deployFlows(items, {
        server: opts.server,
        auth: auth(opts),
        tenant: opts.tenant,
        namespace: opts.namespace,
        validate: opts.validate,
        dryRun: opts.dryRun,
        secrets: localSecrets(opts.dataDir),
        namespaceFiles: opts.namespaceFiles
          ? readNamespaceFiles(opts.namespaceFiles, opts.namespace)
          : workspaceNamespaceFiles(flowsDirOf(opts), items.map((i) => i.source), opts.namespace),
      }).catch((e: Error) => {
        fail(e.message);
        return undefined;
      });
      if (!report) return;
      for (const line of formatDeployReport(report)) console.log(line);
      process.exitCode = report.ok ? 0 : 1;
    });

  serverOptions(program.command('pull').description("fetch flows from a Kestra server into the workspace as <namespace>/<id>.yml (Kestra's source, unchanged)"))
    .option('--namespace <ns>', 'only this namespace and the ones below it')
    .addOption(flowsOption('the workspace folder to write to'))
    .option('--dry-run', 'tell what would change; write nothing')
    .addOption(dataDirOption())
    .action(async (opts: ServerOpts & { namespace?: string; flows?: string; dryRun?: boolean; dataDir: string }) => {
      const flowsDir = flowsDirOf(opts);
      try {
        const results = await pullFlows({ server: opts.server, auth: auth(opts), tenant: opts.tenant, namespace: opts.namespace, flowsDir, dryRun: opts.dryRun });
        for (const line of formatPullResults(results, opts.server)) console.log(line);
        process.exitCode = results.some((r) => r.action === 'failed') ? 1 : 0;
      } catch (e) {
        fail((e as Error).message);
      }
    });

  program
    .command('export')
    .description('write flows as a ZIP of YAML files: one flow, a namespace (and the ones below it), or the whole workspace')
    .requiredOption('-o, --output <file>', 'the ZIP file to write')
    .option('--namespace <ns>', 'only this namespace and the ones below it')
    .option('--flow <namespace.id>', 'only this flow')
    .addOption(flowsOption('the workspace folder'))
    .addOption(dataDirOption())
    .action((opts: { output: string; namespace?: string; flow?: string; flows?: string; dataDir: string }) => {
      let flow: { namespace: string; id: string } | undefined;
      if (opts.flow) {
        const dot = opts.flow.lastIndexOf('.');
        if (dot <= 0) return fail(`--flow ${opts.flow}: write namespace.id, e.g. company.team.orders`);
        flow = { namespace: opts.flow.slice(0, dot), id: opts.flow.slice(dot + 1) };
      }
      const dir = flowsDirOf(opts);
      try {
        const { zip, entries } = exportFlows(workspaceFlows(dir), { namespace: opts.namespace, flow });
        fs.mkdirSync(path.dirname(path.resolve(opts.output)), { recursive: true });
        fs.writeFileSync(opts.output, zip);
        for (const e of entries) console.log(e);
        console.log(`${entries.length} flow file(s) written to ${opts.output}`);
      } catch (e) {
        fail(`${(e as Error).message} (${dir})`);
      }
    });

  program
    .command('import')
    .description('import a ZIP of flows into the workspace (a Peregrine or Kestra export); invalid flows are reported and skipped')
    .argument('<zip>', 'the ZIP file')
    .option('--overwrite', 'replace a workspace flow that has another source (default: report a conflict)')
    .option('--dry-run', 'tell what would change; write nothing')
    .addOption(flowsOption('the workspace folder to write to'))
    .addOption(dataDirOption())
    .action((zipFile: string, opts: { overwrite?: boolean; dryRun?: boolean; flows?: string; dataDir: string }) => {
      if (!fs.existsSync(zipFile)) return fail(`${zipFile}: no such file`);
      const dir = flowsDirOf(opts);
      let plan;
      try {
        plan = planImport(fs.readFileSync(zipFile), { dir, files: workspaceFlows(dir) }, createRegistry(), { overwrite: opts.overwrite });
      } catch (e) {
        return fail(`${zipFile}: ${(e as Error).message}`);
      }
      if (!opts.dryRun) {
        for (const item of plan) {
          if ((item.action === 'created' || item.action === 'updated') && item.file && item.source !== undefined) {
            fs.mkdirSync(path.dirname(item.file), { recursive: true });
            fs.writeFileSync(item.file, item.source);
          }
        }
      }
      for (const line of formatImportPlan(plan)) console.log(line);
      process.exitCode = importFailed(plan) ? 1 : 0;
    });

  program
    .command('export-execution')
    .description("write an execution as JSON — Kestra's execution (task runs, attempts, outputs) and its logs, with the flow revision; secret values masked")
    .argument('<executionId>')
    .requiredOption('-o, --output <file>', 'the JSON file to write (- for standard output)')
    .addOption(dataDirOption())
    .action(async (id: string, opts: { output: string; dataDir: string }) => {
      if (!fs.existsSync(path.join(opts.dataDir, 'peregrine.db'))) return fail(`no data in ${opts.dataDir} (use --data-dir)`);
      const store = new Store({ dataDir: opts.dataDir });
      try {
        const doc = exportExecution(store, id);
        if (!doc) return fail(`no execution ${id} in ${opts.dataDir}`);
        const json = `${JSON.stringify(doc, null, 2)}\n`;
        if (opts.output === '-') process.stdout.write(json);
        else {
          fs.writeFileSync(opts.output, json);
          console.log(`execution ${id} (${doc.execution.state.current}, ${doc.execution.taskRunList.length} task run(s), ${doc.logs.length} log line(s)) written to ${opts.output}`);
        }
      } finally {
        await store.close();
      }
    });

  const gallery = program.command('gallery').description('sample flows, one per real-time use case (assets/flows)');
  gallery
    .command('list', { isDefault: true })
    .description('list the gallery flows')
    .option('--json', 'print JSON')
    .action((opts: { json?: boolean }) => {
      const flows = listGallery();
      if (opts.json) return console.log(JSON.stringify(flows.map(({ file: _f, source: _s, ...g }) => g), null, 2));
      for (const g of flows) console.log(`${g.name.padEnd(34)} ${g.title}${g.brokers.length ? `  [${g.brokers.join(', ')}]` : ''}`);
    });
  gallery
    .command('use')
    .description('copy a gallery flow into the workspace')
    .argument('<name>', 'its file name without .yml (see peregrine gallery list)')
    .option('--namespace <ns>', 'put it in this namespace')
    .option('--overwrite', 'replace the workspace flow of the same namespace and id')
    .addOption(flowsOption('the workspace folder to write to'))
    .addOption(dataDirOption())
    .action((name: string, opts: { namespace?: string; overwrite?: boolean; flows?: string; dataDir: string }) => {
      const g = listGallery().find((x) => x.name === name);
      if (!g) return fail(`no gallery flow named ${name} (see peregrine gallery list)`);
      let source = g.source;
      try {
        if (opts.namespace) source = setNamespace(source, opts.namespace);
      } catch (e) {
        return fail((e as Error).message);
      }
      const described = describeGalleryFlow(g.file, source)!;
      const dir = flowsDirOf(opts);
      const existing = workspaceFlows(dir).find((f) => f.ids?.namespace === described.namespace && f.ids.id === described.id);
      const file = existing?.file ?? path.join(dir, described.namespace, `${described.id}.yml`);
      if (existing && existing.source !== source && !opts.overwrite) return fail(`${file} already holds ${described.namespace}.${described.id} (use --overwrite or --namespace)`);
      fs.mkdirSync(path.dirname(file), { recursive: true });
      fs.writeFileSync(file, source);
      console.log(`${described.namespace}.${described.id} written to ${file}`);
      const { errors } = parseFlowSource(source, createRegistry(), file);
      for (const e of errors) console.log(formatError(e));
      for (const f of described.feed) console.log(`feed it: ${f}`);
    });
}
