// The contract's commands, implemented against the engine. Inputs are validated here, at the
// boundary, and every outcome (including failures) comes back as data.
import { z } from 'zod';
import { parseDocument } from 'yaml';
import { flowJsonSchema, flowToGraph, loadFlow, applyPluginDefaults } from '../flow';
import type { LoadedFlow } from '../model/flow';
import type { Engine } from '../runtime/engine';
import { commands, type ApiError, type CommandInput, type CommandName, type CommandOutput, type FlowSummary, type PluginSummary, type Result } from './contract';

type Handlers = { [N in CommandName]: (input: z.output<(typeof commands)[N]['input']>) => Promise<CommandOutput<N>> | CommandOutput<N> };

export class CommandError extends Error {
  constructor(readonly code: ApiError['code'], message: string, readonly details?: unknown) {
    super(message);
  }
}

const notFound = (what: string) => new CommandError('NOT_FOUND', `${what} not found`);

export function summarize(f: LoadedFlow): FlowSummary {
  return {
    namespace: f.flow.namespace,
    id: f.flow.id,
    revision: f.revision,
    ...(f.flow.description ? { description: f.flow.description } : {}),
    ...(f.file ? { file: f.file } : {}),
    disabled: !!f.flow.disabled,
    triggers: (f.flow.triggers ?? []).map((t) => ({ id: t.id, type: t.type, disabled: !!t.disabled })),
    taskCount: f.flow.tasks.length,
  };
}

export function createCommands(engine: Engine, settings: () => CommandOutput<'settings.get'>) {
  let pluginCache: PluginSummary[] | undefined;
  let schemaCache: object | undefined;
  const flowOf = (namespace: string, id: string) => engine.flow(namespace, id) ?? (() => { throw notFound(`flow ${namespace}.${id}`); })();

  const handlers: Handlers = {
    'flows.list': () => ({
      flows: engine.flows().map(summarize).sort((a, b) => `${a.namespace}.${a.id}`.localeCompare(`${b.namespace}.${b.id}`)),
      problems: [...engine.problems.values()].map((p) => ({ file: p.file ?? '', errors: p.errors })),
    }),
    'flows.get': ({ namespace, id }) => {
      const f = flowOf(namespace, id);
      return { ...summarize(f), source: f.source };
    },
    'flows.save': async ({ source, file }) => {
      const r = await engine.saveFlow(source, { file });
      return { ok: r.ok, errors: r.errors, ...(r.loaded ? { flow: summarize(r.loaded) } : {}) };
    },
    'flows.delete': async ({ namespace, id }) => ({ deleted: await engine.deleteFlow(namespace, id) }),
    'flows.validate': ({ source }) => ({ errors: engine.validate(source) }),
    'flows.graph': ({ source }) => {
      const { flow, errors } = loadFlow(source, undefined, engine.registry);
      return { ...(flow ? { graph: flowToGraph(applyPluginDefaults(flow, engine.registry), engine.registry) } : {}), errors };
    },
    'flows.setEnabled': async ({ namespace, id, enabled }) => {
      const f = flowOf(namespace, id);
      // Edit the YAML text itself (comments and layout kept): the file stays the source of truth.
      const doc = parseDocument(f.source);
      if (enabled) doc.delete('disabled');
      else doc.set('disabled', true);
      const r = await engine.saveFlow(doc.toString());
      return { ok: r.ok, errors: r.errors, ...(r.loaded ? { flow: summarize(r.loaded) } : {}) };
    },
    'flows.revisions': ({ namespace, id }) =>
      engine.store.flowRevisions(namespace, id).map(({ revision, createdAt, deleted }) => ({ revision, createdAt, deleted })),

    'executions.search': (q) => engine.store.searchExecutions(q),
    'executions.get': ({ id }) => engine.executor.live(id) ?? engine.getExecution(id) ?? (() => { throw notFound(`execution ${id}`); })(),
    'executions.create': ({ namespace, flowId, inputs, labels }) => engine.createExecution(namespace, flowId, inputs, labels),
    'executions.kill': ({ ids }) => ({ killed: ids.filter((id) => engine.kill(id)) }),
    'executions.resume': ({ id, inputs }) => ({ resumed: engine.resume(id, inputs) }),
    'executions.delete': ({ ids }) => ({ deleted: ids.filter((id) => !engine.executor.isRunning(id) && engine.store.deleteExecution(id)) }),
    'executions.replay': ({ id }) => engine.replay(id),

    'logs.query': (q) => engine.store.logs(q),

    'triggers.health': () => engine.supervisor.health(),
    'triggers.restart': async ({ namespace, flowId, triggerId }) => {
      const inst = engine.supervisor.get(namespace, flowId, triggerId) ?? (() => { throw notFound(`trigger ${namespace}.${flowId}.${triggerId}`); })();
      await inst.restart();
      return inst.health();
    },
    'triggers.testEvent': async ({ namespace, flowId, triggerId, count, ratePerSecond, ...message }) => {
      const sent = await engine.sendTestEvents({ namespace, flowId, triggerId }, message, count, ratePerSecond);
      return { sent };
    },

    'secrets.list': () => engine.store.secrets.list(),
    'secrets.set': ({ namespace, name, value }) => {
      engine.store.secrets.set(namespace, name, value);
      return { saved: true as const };
    },
    'secrets.delete': ({ namespace, name }) => ({ deleted: engine.store.secrets.delete(namespace, name) }),

    'settings.get': () => settings(),

    'plugins.list': () => (pluginCache ??= engine.registry.all().map((d) => ({
      type: d.type,
      aliases: d.aliases ?? [],
      kind: d.kind,
      ...(d.kind === 'trigger' ? { mode: d.mode } : {}),
      title: d.title,
      description: d.description,
      category: d.category,
      ...(d.icon ? { icon: d.icon } : {}),
      outputs: d.outputs ?? {},
      examples: d.examples ?? [],
      schema: z.toJSONSchema(d.props, { io: 'input', unrepresentable: 'any' }),
      canPublishTestEvents: d.kind === 'trigger' && (!!d.publish || d.mode === 'webhook'),
    }))),
    'plugins.flowSchema': () => (schemaCache ??= flowJsonSchema(engine.registry)),
  };

  return async function call<N extends CommandName>(name: N, input: CommandInput<N>): Promise<Result<CommandOutput<N>>> {
    const spec = commands[name];
    if (!spec) return { ok: false, error: { code: 'INVALID', message: `unknown command ${String(name)}` } };
    const parsed = spec.input.safeParse(input ?? {});
    if (!parsed.success) {
      const i = parsed.error.issues[0];
      return { ok: false, error: { code: 'INVALID', message: `${String(name)}: ${i.path.join('.') || 'input'}: ${i.message}` } };
    }
    try {
      const value = await (handlers[name] as (i: unknown) => unknown)(parsed.data);
      return { ok: true, value: value as CommandOutput<N> };
    } catch (e) {
      return { ok: false, error: toApiError(e) };
    }
  };
}

export function toApiError(e: unknown): ApiError {
  if (e instanceof CommandError) return { code: e.code, message: e.message, ...(e.details ? { details: e.details } : {}) };
  const status = (e as { status?: number })?.status;
  const message = e instanceof Error ? e.message : String(e);
  if (status === 404) return { code: 'NOT_FOUND', message };
  if (status === 400) return { code: 'INVALID', message };
  return { code: 'INTERNAL', message };
}
