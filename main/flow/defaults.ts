// pluginDefaults (and the older taskDefaults): values applied to every task and trigger whose type
// equals, or starts with, the default's type — before their properties are validated, as Kestra's
// PluginDefaultService does. Non-forced values fill what the task leaves out; forced values win.
// Between two matching defaults the one listed first wins.
import type { Flow } from '../model/flow';
import type { PluginRegistry } from '../plugins/registry';
import type { PathSeg } from './positions';

export interface DefaultsEntry {
  type: string;
  forced: boolean;
  values: Record<string, unknown>;
  /** Where `values` is in the flow (pluginDefaults[0].values). */
  path: PathSeg[];
}

export interface Applied {
  props: Record<string, unknown>;
  /** Top-level property → where in pluginDefaults its value came from (absent: from the task). */
  origin: Map<string, PathSeg[]>;
  /** The defaults that matched. */
  matched: DefaultsEntry[];
}

const isPlainObject = (v: unknown): v is Record<string, unknown> => v !== null && typeof v === 'object' && !Array.isArray(v);

/** The well-formed entries of pluginDefaults and taskDefaults, in order. */
export function collectDefaults(flow: unknown): DefaultsEntry[] {
  const out: DefaultsEntry[] = [];
  if (!isPlainObject(flow)) return out;
  for (const key of ['pluginDefaults', 'taskDefaults']) {
    const list = flow[key];
    if (!Array.isArray(list)) continue;
    list.forEach((d, i) => {
      if (isPlainObject(d) && typeof d.type === 'string' && isPlainObject(d.values)) {
        out.push({ type: d.type, forced: d.forced === true, values: d.values, path: [key, i, 'values'] });
      }
    });
  }
  return out;
}

/** Kestra: the same type or a prefix of it; Peregrine also matches an alias of the same plugin. */
export function defaultsMatch(entry: DefaultsEntry, type: string, registry?: PluginRegistry): boolean {
  if (type === entry.type || type.startsWith(entry.type)) return true;
  const a = registry?.get(entry.type);
  return !!a && a === registry?.get(type);
}

/**
 * Applies the matching defaults to one task or trigger. With a registry, a default matched by a
 * package prefix only brings the properties this plugin has (io.kestra.plugin.core with `message`
 * must not break an If); a default naming the type exactly brings all of its values.
 */
export function applyDefaults(task: Record<string, unknown>, entries: readonly DefaultsEntry[], registry?: PluginRegistry): Applied {
  const type = typeof task.type === 'string' ? task.type : undefined;
  const matched = type ? entries.filter((e) => defaultsMatch(e, type, registry)) : [];
  const def = type ? registry?.get(type) : undefined;
  const shape = def ? (registry!.schemaOf(def).shape as Record<string, unknown>) : undefined;
  const skip = (e: DefaultsEntry, k: string): boolean =>
    k === 'type' || (!!shape && !(k in shape) && registry?.get(e.type) !== def);
  const props: Record<string, unknown> = { ...task };
  const origin = new Map<string, PathSeg[]>();
  for (const e of matched.filter((m) => !m.forced)) {
    for (const [k, v] of Object.entries(e.values)) {
      if (skip(e, k)) continue;
      if (!(k in props)) {
        props[k] = structuredClone(v);
        origin.set(k, [...e.path, k]);
      } else if (isPlainObject(props[k]) && isPlainObject(v)) props[k] = deepMerge(v, props[k] as Record<string, unknown>);
    }
  }
  for (const e of matched.filter((m) => m.forced).reverse()) {
    for (const [k, v] of Object.entries(e.values)) {
      if (skip(e, k)) continue;
      props[k] = isPlainObject(props[k]) && isPlainObject(v) ? deepMerge(props[k] as Record<string, unknown>, v) : structuredClone(v);
      origin.set(k, [...e.path, k]);
    }
  }
  return { props, origin, matched };
}

/** `over` wins; maps merge recursively, anything else is replaced. */
function deepMerge(base: Record<string, unknown>, over: Record<string, unknown>): Record<string, unknown> {
  const out: Record<string, unknown> = structuredClone(base);
  for (const [k, v] of Object.entries(over)) {
    out[k] = isPlainObject(out[k]) && isPlainObject(v) ? deepMerge(out[k] as Record<string, unknown>, v) : structuredClone(v);
  }
  return out;
}

/**
 * The flow as the engine runs it: every map with a `type` (tasks at any depth, triggers, their
 * conditions) gets the matching defaults. pluginDefaults themselves are left as written.
 */
export function applyPluginDefaults<F extends Flow>(flow: F, registry?: PluginRegistry): F {
  const entries = collectDefaults(flow);
  if (!entries.length) return flow;
  const walk = (v: unknown): unknown => {
    if (Array.isArray(v)) return v.map(walk);
    if (!isPlainObject(v)) return v;
    const mapped: Record<string, unknown> = {};
    for (const [k, x] of Object.entries(v)) mapped[k] = walk(x);
    return typeof mapped.type === 'string' ? applyDefaults(mapped, entries, registry).props : mapped;
  };
  const out: Record<string, unknown> = {};
  for (const [k, v] of Object.entries(flow)) {
    out[k] = k === 'pluginDefaults' || k === 'taskDefaults' || k === 'inputs' || k === 'outputs' ? v : walk(v);
  }
  return out as F;
}
