// The whole flow document as JSON Schema (draft 2020-12, as z.toJSONSchema writes it) for the
// editor's monaco-yaml: completion, hover docs and inline errors from the same definitions the
// validator reads. Tasks and triggers are an anyOf over every plugin, each told apart by its
// `type` const (or enum of the type and its aliases); child task lists point back at #/$defs/task.
import { z } from 'zod';
import type { PluginRegistry } from '../plugins/registry';
import type { PluginDefinition } from '../plugins/types';
import { flowShellSchema } from './flowSchema';
import { inputSchemas } from './inputDefs';
import { INPUT_TYPES } from './inputs';

type Json = Record<string, any>;

const TASK_REF = { $ref: '#/$defs/task' };
const pointer = (name: string): string => `#/$defs/${name.replace(/~/g, '~0').replace(/\//g, '~1')}`;

export function flowJsonSchema(registry: PluginRegistry): Json {
  const $defs: Json = {};
  const tasks: Json[] = [];
  const triggers: Json[] = [];
  for (const def of registry.all()) {
    $defs[def.type] = pluginSchema(registry, def, $defs);
    (def.kind === 'task' ? tasks : triggers).push({ $ref: pointer(def.type) });
  }
  $defs.task = {
    title: 'Task',
    description: 'A task: `id`, `type` and the properties of its plugin.',
    ...(tasks.length ? { anyOf: tasks } : { type: 'object' }),
  };
  $defs.trigger = {
    title: 'Trigger',
    description: 'A trigger: `id`, `type` and the properties of its plugin.',
    ...(triggers.length ? { anyOf: triggers } : { type: 'object' }),
  };
  $defs.taskList = { type: 'array', items: TASK_REF };

  const inputs: Json[] = [];
  for (const [type, schema] of Object.entries(inputSchemas)) {
    const name = `input.${type}`;
    $defs[name] = { title: `${type} input`, ...toJson(schema, name, $defs) };
    if (type === 'ENUM') $defs[name].deprecated = true;
    inputs.push({ $ref: pointer(name) });
  }
  $defs.input = { title: 'Input', anyOf: inputs };

  const root = toJson(flowShellSchema, 'flow', $defs);
  const props: Json = root.properties;
  props.inputs = { type: 'array', items: { $ref: '#/$defs/input' }, description: 'Values given when an execution starts: {{ inputs.<id> }}.' };
  props.tasks = { type: 'array', minItems: 1, items: TASK_REF, description: 'The tasks, run one after the other.' };
  props.errors = { ...$defs.taskList, description: 'Tasks run when a task fails.' };
  props.finally = { ...$defs.taskList, description: 'Tasks run at the end, whatever the outcome.' };
  props.afterExecution = { ...$defs.taskList, description: 'Tasks run after the execution has ended.' };
  props.triggers = { type: 'array', items: { $ref: '#/$defs/trigger' }, description: 'What starts an execution.' };
  for (const key of ['pluginDefaults', 'taskDefaults']) {
    const typeProp = props[key]?.items?.properties?.type;
    if (typeProp) typeProp.examples = registry.all().map((d) => d.type);
  }
  if (props.taskDefaults) props.taskDefaults.deprecated = true;
  if (props.listeners) {
    props.listeners.deprecated = true;
    const item = props.listeners.items;
    if (item?.properties) item.properties.tasks = { $ref: '#/$defs/taskList' };
  }
  if (props.outputs?.items?.properties?.type) props.outputs.items.properties.type.enum = [...INPUT_TYPES];

  return {
    $schema: 'https://json-schema.org/draft/2020-12/schema',
    $id: 'https://peregrine.dev/schemas/flow.json',
    title: 'Kestra flow',
    description: 'A Kestra-compatible flow, as Peregrine runs it.',
    type: 'object',
    properties: props,
    required: ['id', 'namespace', 'tasks'],
    additionalProperties: false,
    $defs,
  };
}

function pluginSchema(registry: PluginRegistry, def: PluginDefinition, $defs: Json): Json {
  let js: Json;
  try {
    js = toJson(registry.schemaOf(def), def.type, $defs);
  } catch {
    js = { type: 'object', properties: {}, required: ['id', 'type'] };
  }
  js.properties ??= {};
  const names = [def.type, ...(def.aliases ?? [])];
  js.properties.type = names.length === 1 ? { const: def.type, description: def.title } : { enum: names, description: def.title };
  if (def.kind === 'task') {
    for (const prop of def.childTaskProps ?? []) {
      if (js.properties[prop]) js.properties[prop] = replaceTaskItems(js.properties[prop]);
    }
  }
  const examples = (def.examples ?? []).map((e) => `**${e.title}**\n\n\`\`\`yaml\n${e.code}\n\`\`\``);
  return {
    title: def.title,
    description: def.description,
    markdownDescription: [`**${def.title}** — \`${def.type}\``, def.description, ...examples].filter(Boolean).join('\n\n'),
    ...js,
  };
}

/** The loose `{id, type}` items of taskList() become references to the full task schema. */
function replaceTaskItems(s: any): any {
  if (Array.isArray(s)) return s.map(replaceTaskItems);
  if (!s || typeof s !== 'object') return s;
  const p = s.properties;
  if (s.type === 'object' && p && Object.keys(p).length === 2 && p.id && p.type) {
    const extra: Json = {};
    if (s.description) extra.description = s.description;
    return { ...TASK_REF, ...extra };
  }
  const out: Json = {};
  for (const [k, v] of Object.entries(s)) out[k] = replaceTaskItems(v);
  return out;
}

/** z.toJSONSchema, input side, inner $defs hoisted to the root under `prefix.`. */
function toJson(schema: z.ZodType, prefix: string, $defs: Json): Json {
  const js = z.toJSONSchema(schema, { io: 'input', unrepresentable: 'any' }) as Json;
  delete js.$schema;
  const inner = js.$defs as Json | undefined;
  delete js.$defs;
  const rename = (ref: string): string => {
    if (ref === '#') return pointer(prefix);
    const m = /^#\/\$defs\/(.+)$/.exec(ref);
    return m ? pointer(`${prefix}.${m[1]}`) : ref;
  };
  const fix = (v: any): any => {
    if (Array.isArray(v)) return v.map(fix);
    if (!v || typeof v !== 'object') return v;
    const out: Json = {};
    for (const [k, x] of Object.entries(v)) {
      if (k === '$ref' && typeof x === 'string') out[k] = rename(x);
      else if ((k === 'minimum' && x === Number.MIN_SAFE_INTEGER) || (k === 'maximum' && x === Number.MAX_SAFE_INTEGER)) continue;
      else out[k] = fix(x);
    }
    return out;
  };
  if (inner) for (const [name, s] of Object.entries(inner)) $defs[`${prefix}.${name}`] = fix(s);
  return fix(js);
}
