// Random sequences of graph edits on real flows: every result is YAML with the same comments, and
// undoing the whole sequence (inverse after inverse) gives back the original text exactly.
import fs from 'node:fs';
import path from 'node:path';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { parse as parseYaml, parseDocument, isMap, isSeq } from 'yaml';
import { applyEdit, EditError, type GraphEdit } from '../../../renderer/features/editor/edits';
import { formatPath, type Seg } from '../../../renderer/features/editor/yaml-paths';

const FIXTURES = path.resolve(import.meta.dirname, '../../fixtures/flows/valid');
const sources = ['flowable.yaml', 'hello-webhook.yaml', 'legacy.yaml'].map((f) => fs.readFileSync(path.join(FIXTURES, f), 'utf8'));

/** Every task path and every list of tasks in a flow. */
function places(src: string): { tasks: string[]; lists: string[] } {
  const tasks: string[] = [];
  const lists: string[] = [];
  const doc = parseDocument(src);
  const walkList = (node: unknown, segs: Seg[]) => {
    if (!isSeq(node)) return;
    lists.push(formatPath(segs));
    node.items.forEach((it, i) => {
      if (!isMap(it)) return;
      tasks.push(formatPath([...segs, i]));
      for (const p of it.items) {
        const k = String((p.key as { value: unknown }).value);
        if (['then', 'else', 'tasks', 'errors', 'finally', 'defaults'].includes(k)) walkList(p.value, [...segs, i, k]);
        if (k === 'cases' && isMap(p.value)) for (const c of p.value.items) walkList(c.value, [...segs, i, k, String((c.key as { value: unknown }).value)]);
      }
    });
  };
  const root = doc.contents;
  if (isMap(root)) for (const k of ['tasks', 'errors', 'finally', 'triggers']) walkList(root.get(k, true), [k]);
  return { tasks, lists };
}

const pick = <T,>(xs: T[], r: number): T => xs[Math.floor(r * xs.length) % xs.length];

function makeEdit(src: string, kind: number, r1: number, r2: number, n: number): GraphEdit | undefined {
  const { tasks, lists } = places(src);
  const task = { id: `t${n}`, type: 'io.kestra.plugin.core.log.Log', message: `m ${n}` };
  switch (kind) {
    case 0: return tasks.length ? { kind: 'insertTask', at: { after: pick(tasks, r1) }, task } : undefined;
    case 1: return { kind: 'insertTask', at: { into: pick([...lists, 'tasks[0].errors', 'finally', 'errors'], r1), index: Math.floor(r2 * 3) }, task };
    case 2: return tasks.length > 1 ? { kind: 'deleteTask', path: pick(tasks, r1) } : undefined;
    case 3: return tasks.length > 1 ? { kind: 'moveTask', path: pick(tasks, r1), to: { before: pick(tasks, r2) } } : undefined;
    case 4: return tasks.length ? { kind: 'moveTask', path: pick(tasks, r1), to: { into: pick(lists, r2) } } : undefined;
    case 5: return tasks.length ? { kind: 'renameId', path: pick(tasks, r1), newId: `renamed${n}` } : undefined;
    case 6: return tasks.length ? { kind: 'setProperty', path: pick(tasks, r1), key: pick(['message', 'description', 'timeout'], r2), value: pick(['x', 'two\nlines', 42, ['a', 'b'], { k: 'v' }], r2 * 7) } : undefined;
    case 7: return tasks.length ? { kind: 'unsetProperty', path: pick(tasks, r1), key: pick(['message', 'description', 'level'], r2) } : undefined;
    default: return { kind: 'addTrigger', trigger: { id: `trig${n}`, type: 'io.kestra.plugin.core.trigger.Webhook', key: `k${n}` } };
  }
}

const comments = (s: string) => s.split('\n').filter((l) => l.trim().startsWith('#')).map((l) => l.trim()).sort();

describe('random edit sequences', () => {
  it('stay valid YAML and undo back to the original text', () => {
    fc.assert(
      fc.property(
        fc.integer({ min: 0, max: sources.length - 1 }),
        fc.array(fc.tuple(fc.integer({ min: 0, max: 8 }), fc.double({ min: 0, max: 0.999, noNaN: true }), fc.double({ min: 0, max: 0.999, noNaN: true })), { minLength: 1, maxLength: 12 }),
        (which, steps) => {
          const original = sources[which];
          const history = [original];
          const inverses: GraphEdit[] = [];
          steps.forEach(([kind, r1, r2], n) => {
            const cur = history.at(-1)!;
            const edit = makeEdit(cur, kind, r1, r2, n);
            if (!edit) return;
            let r;
            try {
              r = applyEdit(cur, edit);
            } catch (e) {
              if (e instanceof EditError) return; // refused (moving into itself, duplicate ids …): fine
              throw e;
            }
            expect(() => parseYaml(r.source), `after ${JSON.stringify(edit)}:\n${r.source}`).not.toThrow();
            // Comments of the original are still there (unless the edit removed the task holding them).
            if (edit.kind !== 'deleteTask' && edit.kind !== 'unsetProperty' && edit.kind !== 'setProperty') expect(comments(r.source)).toEqual(comments(cur));
            history.push(r.source);
            inverses.push(r.inverse);
          });
          let s = history.at(-1)!;
          for (let i = inverses.length - 1; i >= 0; i--) {
            s = applyEdit(s, inverses[i]).source;
            expect(s).toBe(history[i]);
          }
        },
      ),
      { numRuns: 300, seed: 20240607 },
    );
  });
});
