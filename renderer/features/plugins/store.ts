// The plugin catalogue (`plugins.list`) and the flow JSON Schema (`plugins.flowSchema`): read once,
// shared by the palette, the graph's node faces, the property forms and the YAML editor.
import { create } from 'zustand';
import type { PluginSummary } from '../../../main/api/contract';
import { call } from '../../app/bridge';

export interface PluginsState {
  plugins: PluginSummary[];
  /** By type and by every alias. */
  byType: Record<string, PluginSummary>;
  flowSchema?: object;
  loaded: boolean;
  error?: string;
  load(): Promise<void>;
}

export const usePlugins = create<PluginsState>((set) => ({
  plugins: [],
  byType: {},
  loaded: false,
  async load() {
    try {
      const [plugins, flowSchema] = await Promise.all([call('plugins.list', {}), call('plugins.flowSchema', {})]);
      const byType: Record<string, PluginSummary> = {};
      for (const p of plugins) {
        byType[p.type] = p;
        for (const a of p.aliases) byType[a] ??= p;
      }
      set({ plugins, byType, flowSchema, loaded: true, error: undefined });
    } catch (e) {
      set({ error: (e as Error).message, loaded: true });
    }
  },
}));

export const pluginFor = (type: string | undefined): PluginSummary | undefined => (type ? usePlugins.getState().byType[type] : undefined);

/** `io.kestra.plugin.core.log.Log` → `Log`. */
export const shortType = (type: string | undefined): string => (type ? type.slice(type.lastIndexOf('.') + 1) : '?');

/** `io.kestra.plugin.core.log.Log` → `core.log`. */
export function typeFamily(type: string | undefined): string {
  if (!type) return '';
  const parts = type.split('.');
  const i = parts.indexOf('plugin');
  return parts.slice(i >= 0 ? i + 1 : 2, -1).join('.');
}

/** Categories in a stable, useful order; plugins inside by title. */
export function groupByCategory(plugins: PluginSummary[]): { category: string; plugins: PluginSummary[] }[] {
  const ORDER = ['Triggers', 'Core', 'Flow', 'HTTP', 'Scripts', 'Transform', 'KV Store'];
  const groups = new Map<string, PluginSummary[]>();
  for (const p of plugins) groups.set(p.category, [...(groups.get(p.category) ?? []), p]);
  const rank = (c: string) => (ORDER.includes(c) ? ORDER.indexOf(c) : ORDER.length);
  return [...groups.entries()]
    .sort(([a], [b]) => rank(a) - rank(b) || a.localeCompare(b))
    .map(([category, ps]) => ({ category, plugins: ps.sort((a, b) => (a.kind === b.kind ? a.title.localeCompare(b.title) : a.kind === 'trigger' ? -1 : 1)) }));
}

/** A new task or trigger for a plugin: its first example (when it is one task), else its required properties. */
export function templateFor(p: PluginSummary, id: string): { yaml?: string; task?: Record<string, unknown> } {
  for (const ex of p.examples) {
    const code = ex.code.trim();
    // A task-level example (id/type at the top).
    const typeLine = new RegExp(`^type:\\s*["']?${p.type.replace(/\./g, '\\.')}["']?\\s*$`, 'm');
    if (typeLine.test(code) && /^id:/m.test(code) && !/^tasks:/m.test(code)) {
      return { yaml: code.replace(/^id:.*$/m, `id: ${id}`) };
    }
  }
  const task: Record<string, unknown> = { id, type: p.type };
  const schema = p.schema as { properties?: Record<string, { type?: unknown; default?: unknown; enum?: unknown[] }>; required?: string[] };
  for (const name of schema.required ?? []) {
    const prop = schema.properties?.[name];
    const t = Array.isArray(prop?.type) ? prop?.type[0] : prop?.type;
    task[name] = prop?.default ?? (prop?.enum?.[0] ?? (t === 'integer' || t === 'number' ? 0 : t === 'boolean' ? false : t === 'array' ? [] : t === 'object' ? {} : ''));
  }
  return { task };
}

/** For a trigger from a whole-flow example: the trigger block itself. */
export function triggerTemplateFor(p: PluginSummary, id: string): { yaml?: string; task?: Record<string, unknown> } {
  for (const ex of p.examples) {
    const m = /^triggers:\s*\n((?:[ \t]+.*\n?|\s*\n)+)/m.exec(ex.code);
    if (!m) continue;
    const block = m[1].replace(/\s+$/, '').split('\n');
    const first = block.findIndex((l) => /^\s*-\s/.test(l));
    if (first < 0) continue;
    const indent = block[first].indexOf('-');
    const items: string[] = [];
    for (let i = first; i < block.length; i++) {
      if (i > first && new RegExp(`^\\s{${indent}}-\\s`).test(block[i])) break;
      items.push(block[i]);
    }
    const text = items.map((l, i) => (i === 0 ? l.slice(indent + 2) : l.slice(indent + 2))).join('\n');
    if (new RegExp(`type:\\s*["']?${p.type.replace(/\./g, '\\.')}`).test(text)) return { yaml: text.replace(/^id:.*$/m, `id: ${id}`) };
  }
  return templateFor(p, id);
}
