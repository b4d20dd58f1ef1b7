// Where a task's child tasks are: the lists named by its definition's childTaskProps (If's
// then/else, Parallel's tasks, Switch's cases — a map of lists —, errors, finally …), or, for a
// type Peregrine does not know, any property holding a list of task-like maps.
import type { PathSeg } from './positions';

export interface ChildTask {
  /** Path from the parent task: ['then', 0], ['cases', 'A', 1]. */
  path: PathSeg[];
  value: unknown;
  /** The property holding it: then, else, cases, defaults, tasks, errors, finally … */
  prop: string;
  /** The key inside a map of lists (Switch's case value). */
  key?: string;
}

const isPlainObject = (v: unknown): v is Record<string, unknown> => v !== null && typeof v === 'object' && !Array.isArray(v);
const isTaskLike = (v: unknown): boolean => isPlainObject(v) && typeof v.type === 'string';

export function childTasks(task: Record<string, unknown>, props: readonly string[]): ChildTask[] {
  const out: ChildTask[] = [];
  for (const prop of props) collect(task[prop], [prop], prop, undefined, out);
  return out;
}

function collect(v: unknown, path: PathSeg[], prop: string, key: string | undefined, out: ChildTask[]): void {
  if (Array.isArray(v)) {
    v.forEach((el, i) => {
      // Dag-style wrappers: { task: {…}, dependsOn: […] }
      if (isPlainObject(el) && !('type' in el) && !('id' in el) && isPlainObject(el.task)) {
        out.push({ path: [...path, i, 'task'], value: el.task, prop, key });
      } else out.push({ path: [...path, i], value: el, prop, key });
    });
  } else if (isPlainObject(v)) {
    if (typeof v.type === 'string') out.push({ path, value: v, prop, key });
    else for (const [k, x] of Object.entries(v)) if (Array.isArray(x) || isPlainObject(x)) collect(x, [...path, k], prop, key ?? k, out);
  }
}

/** For unknown types: properties holding a list of task-like maps, or a map of such lists. */
export function guessChildProps(task: Record<string, unknown>): string[] {
  const isTaskList = (v: unknown) => Array.isArray(v) && v.length > 0 && v.every((x) => isTaskLike(x));
  return Object.keys(task).filter((k) => {
    if (k === 'conditions' || k === 'retry') return false;
    const v = task[k];
    if (isTaskList(v)) return true;
    return isPlainObject(v) && !('type' in v) && Object.keys(v).length > 0 && Object.values(v).every(isTaskList);
  });
}

/** Paths (from the task) of every child task element, to drop the parent schema's issues about them. */
export const isInsideChild = (issuePath: readonly PathSeg[], children: readonly ChildTask[]): boolean =>
  children.some((c) => c.path.length <= issuePath.length && c.path.every((seg, i) => seg === issuePath[i]));
