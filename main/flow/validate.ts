// A parsed flow against Kestra's rules and Peregrine's plugin definitions: top-level keys,
// ids, inputs, every task and trigger (pluginDefaults applied, properties checked by the plugin's
// zod schema, children recursively), unique ids and template syntax — each error at its node.
import { isScalar } from 'yaml';
import type { Flow } from '../model/flow';
import type { PluginRegistry } from '../plugins/registry';
import type { PluginDefinition } from '../plugins/types';
import { childTasks, guessChildProps, isInsideChild } from './children';
import { applyDefaults, collectDefaults, type DefaultsEntry } from './defaults';
import { hasErrors, tidyErrors, type FlowError, type FlowErrorCode, type Severity } from './errors';
import { dropNullOptionals, flowShellSchema, TASK_LIST_KEYS, TOP_LEVEL_KEYS } from './flowSchema';
import { checkInputDefinitions } from './inputDefs';
import { parseFlow, type ParsedFlow } from './parse';
import { formatPath, walkScalars, type Anchor, type Path, type PathSeg } from './positions';
import { scalarOffsetAt } from './scalarMap';
import { closest, isKestraPluginType, suggestType } from './suggest';
import { checkTemplate } from './templates';
import { explainIssues, show, unknownProperty } from './zodIssues';

export interface ValidateOptions {
  /**
   * How a plausible `io.kestra.*` type that Peregrine does not run is reported: 'error' (default:
   * the flow cannot run here) or 'warning' (the flow is meant for a Kestra cluster).
   */
  unsupportedPlugins?: Severity;
  /** Check the syntax of {{ }} / {% %} templates in every string (default true). */
  templates?: boolean;
}

export interface LoadedFlowResult {
  /** The flow as written (inputs' `name` read as `id`, taskDefaults folded into pluginDefaults), when the YAML is a mapping. */
  flow?: Flow;
  doc: ParsedFlow['doc'];
  /** Syntax and validation errors and warnings, by position. */
  errors: FlowError[];
  /** No error (warnings allowed). */
  valid: boolean;
}

/** parseFlow + validateFlow + normalizeFlow in one call. */
export function loadFlow(source: string, file: string | undefined, registry: PluginRegistry, options?: ValidateOptions): LoadedFlowResult {
  const parsed = parseFlow(source, file);
  const errors = hasErrors(parsed.errors) ? parsed.errors : tidyErrors([...parsed.errors, ...validateFlow(parsed, registry, options)]);
  return { flow: parsed.flow ? normalizeFlow(parsed.flow) : undefined, doc: parsed.doc, errors, valid: !hasErrors(errors) };
}

/** Kestra's reading of older spellings: input `name` → `id`, `taskDefaults` → `pluginDefaults`. */
export function normalizeFlow(raw: Flow): Flow {
  const flow = { ...raw } as Flow & { taskDefaults?: Flow['pluginDefaults'] };
  if (Array.isArray(flow.inputs)) {
    flow.inputs = flow.inputs.map((i) => (i && typeof i === 'object' && i.id === undefined && typeof i.name === 'string' ? { ...i, id: i.name } : i));
  }
  if (Array.isArray(flow.taskDefaults)) {
    flow.pluginDefaults = [...(Array.isArray(flow.pluginDefaults) ? flow.pluginDefaults : []), ...flow.taskDefaults];
    delete flow.taskDefaults;
  }
  return flow;
}

const isPlainObject = (v: unknown): v is Record<string, unknown> => v !== null && typeof v === 'object' && !Array.isArray(v);

type Kind = 'task' | 'trigger';

class Validation {
  readonly errors: FlowError[] = [];
  private readonly taskIds = new Map<string, Path>();
  private readonly triggerIds = new Map<string, Path>();
  private readonly defaults: DefaultsEntry[];

  constructor(
    private readonly parsed: ParsedFlow,
    private readonly registry: PluginRegistry,
    private readonly options: ValidateOptions,
  ) {
    this.defaults = collectDefaults(parsed.flow);
  }

  report = (path: Path, anchor: Anchor, message: string, severity: Severity = 'error', code?: FlowErrorCode): void => {
    const pos = this.parsed.locator.at(path, anchor);
    this.errors.push({ file: this.parsed.file, ...pos, path: formatPath(path), message, severity, ...(code ? { code } : {}) });
  };

  lineOf = (path: Path): number => this.parsed.locator.at(path, 'value').line;

  run(): void {
    const raw = this.parsed.flow as unknown;
    if (!isPlainObject(raw)) {
      this.report([], 'value', 'a flow is a YAML mapping with at least id, namespace and tasks');
      return;
    }
    this.topLevel(raw);
    checkInputDefinitions(raw.inputs, this.report, this.lineOf);
    this.pluginDefaults();
    for (const key of TASK_LIST_KEYS) this.taskList([key], raw[key], key === 'tasks');
    this.triggers(raw.triggers);
    if (Array.isArray(raw.listeners)) {
      raw.listeners.forEach((l, i) => isPlainObject(l) && this.taskList(['listeners', i, 'tasks'], l.tasks, false));
    }
    if (this.options.templates !== false) this.templates();
  }

  private topLevel(raw: Record<string, unknown>): void {
    for (const key of Object.keys(raw)) {
      if ((TOP_LEVEL_KEYS as readonly string[]).includes(key)) continue;
      const guess = closest(key, TOP_LEVEL_KEYS);
      this.report([key], 'key', guess ? `unknown top-level property "${key}": did you mean "${guess}"?` : `unknown top-level property "${key}"`);
    }
    if (raw.taskDefaults !== undefined) this.report(['taskDefaults'], 'key', 'taskDefaults is the older name of pluginDefaults: rename it', 'warning');
    if (raw.listeners !== undefined) this.report(['listeners'], 'key', 'listeners are deprecated in Kestra: use afterExecution or a Flow trigger', 'warning');
    const shell = dropNullOptionals(raw, flowShellSchema);
    const res = flowShellSchema.safeParse(shell);
    if (!res.success) for (const f of explainIssues(res.error.issues, shell, flowShellSchema)) this.report(f.path, f.anchor, f.message);
    if (!('tasks' in raw)) this.report([], 'map', 'missing required property tasks: a flow needs at least one task');
  }

  private pluginDefaults(): void {
    for (const entry of this.defaults) {
      const def = this.registry.get(entry.type);
      if (def) {
        // Kestra checks the properties of a default naming a known type (a prefix cannot be checked).
        const known = Object.keys(this.registry.schemaOf(def).shape);
        for (const key of Object.keys(entry.values)) {
          if (!known.includes(key)) this.report([...entry.path, key], 'key', unknownProperty(key, known, def.type));
        }
      } else if (!this.registry.names().some((n) => n.startsWith(entry.type))) {
        const typePath = entry.path.slice(0, -1).concat('type');
        const guess = suggestType(entry.type, this.registry.names());
        this.report(typePath, 'value', `${entry.type} matches no plugin Peregrine knows${guess ? `: did you mean ${guess}?` : ''}`, 'warning');
      }
    }
  }

  private taskList(path: PathSeg[], list: unknown, required: boolean): void {
    if (list === undefined) return;
    if (list === null) {
      if (required) this.report(path, 'value', 'tasks is empty: a flow needs at least one task');
      return;
    }
    if (!Array.isArray(list)) {
      this.report(path, 'value', `expected a list of tasks but got ${show(list)}`);
      return;
    }
    if (required && list.length === 0) this.report(path, 'value', 'tasks is empty: a flow needs at least one task');
    list.forEach((t, i) => this.item([...path, i], t, 'task'));
  }

  private triggers(list: unknown): void {
    if (list === undefined || list === null) return;
    if (!Array.isArray(list)) {
      this.report(['triggers'], 'value', `expected a list of triggers but got ${show(list)}`);
      return;
    }
    list.forEach((t, i) => this.item(['triggers', i], t, 'trigger'));
  }

  /** One task or trigger, then its children. */
  private item(path: PathSeg[], node: unknown, kind: Kind): void {
    if (!isPlainObject(node)) {
      this.report(path, 'value', `expected a ${kind} (a mapping with id and type) but got ${show(node)}`);
      return;
    }
    this.uniqueId(path, node, kind);
    const type = node.type;
    if (type === undefined) {
      this.report(path, 'map', 'missing required property type');
      return;
    }
    if (typeof type !== 'string') {
      this.report([...path, 'type'], 'value', `expected a ${kind} type such as io.kestra.plugin.core.log.Log but got ${show(type)}`);
      return;
    }
    const def = this.registry.get(type);
    if (!def) {
      this.unknownType(path, type, kind);
      if (kind === 'task') for (const c of childTasks(node, guessChildProps(node))) this.item([...path, ...c.path], c.value, 'task');
      return;
    }
    if (def.kind !== kind) {
      const where = def.kind === 'trigger' ? 'triggers' : 'tasks (or errors / finally)';
      this.report([...path, 'type'], 'value', `${type} is a ${def.kind}, not a ${kind}: move it under ${where}`);
      return;
    }
    this.properties(path, node, def);
  }

  private properties(path: PathSeg[], node: Record<string, unknown>, def: PluginDefinition): void {
    const schema = this.registry.schemaOf(def);
    const { props: merged, origin } = applyDefaults(node, this.defaults, this.registry);
    const props = dropNullOptionals(merged, schema);
    const childProps = def.kind === 'task' ? (def.childTaskProps ?? []) : [];
    const children = childTasks(node, childProps);
    const res = schema.safeParse(props);
    if (!res.success) {
      for (const f of explainIssues(res.error.issues, props, schema, { subject: def.type })) {
        if (isInsideChild(f.path, children)) continue;
        const from = typeof f.path[0] === 'string' ? origin.get(f.path[0]) : undefined;
        // An unknown property brought by a default is reported once, at the default (pluginDefaults()).
        if (from && f.path.length === 1 && f.anchor === 'key') continue;
        if (from) {
          // The value came from pluginDefaults: point there, and say which task it broke.
          this.report([...from, ...f.path.slice(1)], f.anchor, `${f.message} (applied to ${formatPath([...path, ...f.path])})`);
        } else this.report([...path, ...f.path], f.anchor, f.message);
      }
    }
    for (const c of children) this.item([...path, ...c.path], c.value, 'task');
  }

  private unknownType(path: PathSeg[], type: string, kind: Kind): void {
    const sameKind = this.registry.names().filter((n) => this.registry.get(n)?.kind === kind);
    const count = this.registry.all().filter((d) => d.kind === kind).length;
    const guess = suggestType(type, sameKind);
    const at: Path = [...path, 'type'];
    if (guess) {
      this.report(at, 'value', `unknown ${kind} type ${type}: did you mean ${guess}?`);
    } else if (isKestraPluginType(type)) {
      this.report(
        at,
        'value',
        `${type} is a Kestra plugin that Peregrine does not run locally (Peregrine runs ${count} ${kind} types${this.sameFamily(type, sameKind)})`,
        this.options.unsupportedPlugins ?? 'error',
        'UNSUPPORTED_PLUGIN',
      );
    } else {
      this.report(at, 'value', `unknown ${kind} type ${type} (Peregrine runs ${count} ${kind} types; see the palette)`);
    }
  }

  /** What Peregrine does run from the same Kestra plugin (io.kestra.plugin.<name>), if anything. */
  private sameFamily(type: string, names: string[]): string {
    const m = /^(io\.kestra\.plugin\.[a-z0-9_]+)\./.exec(type);
    if (!m) return '';
    const prefix = `${m[1]}.`;
    const ours = [...new Set(names.filter((n) => n.startsWith(prefix)).map((n) => n.slice(prefix.length)))].sort();
    if (!ours.length) return '';
    return `; from ${m[1]} it runs ${ours.slice(0, 8).join(', ')}${ours.length > 8 ? ', …' : ''}`;
  }

  private uniqueId(path: PathSeg[], node: Record<string, unknown>, kind: Kind): void {
    const id = node.id;
    if (typeof id !== 'string') return;
    const seen = kind === 'task' ? this.taskIds : this.triggerIds;
    const first = seen.get(id);
    if (first) {
      this.report([...path, 'id'], 'value', `duplicate ${kind} id "${id}": ${formatPath(first)} at line ${this.lineOf([...first, 'id'])} already uses it`);
    } else seen.set(id, path);
  }

  private templates(): void {
    const { doc, source, locator, file } = this.parsed;
    walkScalars(doc, (node, path, isKey) => {
      if (isKey || typeof node.value !== 'string' || !isScalar(node)) return;
      if (path[path.length - 1] === 'description') return; // never rendered
      const issue = checkTemplate(node.value);
      if (!issue) return;
      const offset = scalarOffsetAt(source, node, issue.line, issue.column);
      const pos = locator.position(offset);
      this.errors.push({ file, ...pos, path: formatPath(path), message: `invalid expression: ${issue.message}`, severity: 'error' });
    });
  }
}

/** Validation errors and warnings of a parsed flow (its YAML syntax errors are in `parsed.errors`). */
export function validateFlow(parsed: ParsedFlow, registry: PluginRegistry, options: ValidateOptions = {}): FlowError[] {
  if (hasErrors(parsed.errors)) return [];
  const v = new Validation(parsed, registry, options);
  v.run();
  return tidyErrors(v.errors);
}
