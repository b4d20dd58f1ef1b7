// Putting a plugin into the flow (palette click, drop on the graph, "+" on an edge), and moving a
// task by dragging it: each is one graph edit on the YAML text.
import type { PluginSummary } from '../../../main/api/contract';
import type { GraphNode } from '../../../main/flow/graph';
import { uniqueId, type InsertAt } from '../editor/edits';
import { useEditor } from '../editor/store';
import { templateFor, triggerTemplateFor, usePlugins } from '../plugins/store';
import { joinPath } from '../editor/yaml-paths';

/** `OutputValues` → `output_values`. */
export const baseId = (type: string): string => type.slice(type.lastIndexOf('.') + 1).replace(/([a-z0-9])([A-Z])/g, '$1_$2').toLowerCase();

/** Inserts a plugin; tasks go to `at`, after the selected task, or at the end of the flow. */
export function insertPlugin(p: PluginSummary, at?: InsertAt): boolean {
  const editor = useEditor.getState();
  const id = uniqueId(editor.source, baseId(p.type));
  if (p.kind === 'trigger') return editor.edit({ kind: 'addTrigger', ...triggerTemplateFor(p, id) });
  const sel = editor.selected;
  const where: InsertAt = at ?? (sel && !sel.startsWith('triggers') ? { after: sel } : { into: 'tasks' });
  return editor.edit({ kind: 'insertTask', at: where, ...templateFor(p, id) });
}

/** The lists of child tasks a flowable task has (from its plugin's schema): then, else, tasks … */
export function childLists(type: string | undefined): string[] {
  const p = type ? usePlugins.getState().byType[type] : undefined;
  const props = (p?.schema as { properties?: Record<string, { type?: string; items?: { required?: string[] } }> } | undefined)?.properties ?? {};
  return Object.entries(props)
    .filter(([k, s]) => s.type === 'array' && s.items?.required?.includes('type') && k !== 'errors' && k !== 'finally')
    .map(([k]) => k);
}

/** Where something dropped on a node goes: after a task; at the end of a group's first branch. */
export function insertAtNode(n: GraphNode): InsertAt | undefined {
  if (n.kind === 'task' && n.path) return { after: n.path };
  if (n.kind === 'group' && n.path) {
    const lists = childLists(n.type);
    return lists.length ? { into: joinPath(n.path, lists[0]) } : { after: n.path };
  }
  if (n.kind === 'start' && !n.parentId) return { into: 'tasks', index: 0 };
  if (n.kind === 'end' && !n.parentId) return { into: 'tasks' };
  return undefined;
}

export function moveTaskTo(path: string, to: InsertAt): boolean {
  return useEditor.getState().edit({ kind: 'moveTask', path, to });
}
