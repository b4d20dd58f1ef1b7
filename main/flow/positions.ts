// Where things are in the YAML source: paths (tasks[2].message) ↔ nodes ↔ 1-based line:column.
import { isAlias, isMap, isScalar, isSeq, type Document, type LineCounter, type Node, type Pair, type Scalar } from 'yaml';

export type PathSeg = string | number;
export type Path = readonly PathSeg[];

/** Which part of a node an error points at. */
export type Anchor =
  /** the value node (a wrong value) */
  | 'value'
  /** the key of the map entry (an unknown property) */
  | 'key'
  /** the node itself when it is a map (a missing property) */
  | 'map';

export interface Position {
  line: number;
  column: number;
  endLine: number;
  endColumn: number;
}

const SIMPLE_KEY = /^[A-Za-z_$][\w$-]*$/;

/** `["tasks", 2, "message"]` → `tasks[2].message`; odd keys are quoted: `cases["1"]`. */
export function formatPath(path: Path): string {
  let out = '';
  for (const seg of path) {
    if (typeof seg === 'number') out += `[${seg}]`;
    else if (SIMPLE_KEY.test(seg)) out += out ? `.${seg}` : seg;
    else out += `[${JSON.stringify(seg)}]`;
  }
  return out;
}

const keyText = (key: unknown): string | undefined =>
  isScalar(key) ? String(key.value) : key === null || key === undefined ? undefined : String(key);

interface Resolved {
  /** The deepest node reached. */
  node: Node | null;
  /** The map entry holding `node`, when the last step went through a map. */
  pair?: Pair;
  /** How many segments were followed. */
  depth: number;
}

/** Maps paths and offsets of one parsed document to positions. */
export class Locator {
  constructor(
    readonly doc: Document,
    readonly lineCounter: LineCounter,
    readonly source: string,
  ) {}

  /** 1-based line and column of a source offset. */
  position(offset: number, end = offset): Position {
    const a = this.lineCounter.linePos(Math.max(0, Math.min(offset, this.source.length)));
    const b = this.lineCounter.linePos(Math.max(0, Math.min(end, this.source.length)));
    return { line: a.line, column: a.col, endLine: b.line, endColumn: b.col };
  }

  /** Follows `path` from the document root as far as it goes. */
  resolve(path: Path): Resolved {
    let node = this.deref(this.doc.contents as Node | null);
    let pair: Pair | undefined;
    let depth = 0;
    for (const seg of path) {
      if (isMap(node)) {
        const found = node.items.find((p) => keyText(p.key) === String(seg));
        if (!found) break;
        pair = found;
        node = this.deref(found.value as Node | null);
      } else if (isSeq(node) && typeof seg === 'number' && seg < node.items.length) {
        pair = undefined;
        node = this.deref(node.items[seg] as Node | null);
      } else break;
      depth++;
    }
    return { node, pair, depth };
  }

  /** The position of what `path` names; falls back to the deepest existing ancestor. */
  at(path: Path, anchor: Anchor = 'value'): Position {
    const r = this.resolve(path);
    if (r.depth < path.length) {
      // Not in the source (e.g. a value that came from pluginDefaults): point at the nearest ancestor.
      if (r.pair && isScalar(r.pair.key) && (!r.node || anchor === 'key')) return this.rangeOf(r.pair.key);
      return r.node ? this.rangeOf(r.node, true) : this.position(0);
    }
    const keyNode = r.pair && isScalar(r.pair.key) ? r.pair.key : undefined;
    if (anchor === 'key' && keyNode) return this.rangeOf(keyNode);
    if (r.node && !isEmpty(r.node)) return this.rangeOf(r.node, anchor === 'map');
    if (keyNode) return this.rangeOf(keyNode);
    return r.node?.range ? this.rangeOf(r.node) : this.position(0);
  }

  /** The path of the innermost node containing `offset` (for YAML syntax errors). */
  pathAt(offset: number): PathSeg[] {
    const path: PathSeg[] = [];
    let node = this.doc.contents as Node | null;
    for (;;) {
      if (isMap(node)) {
        let next: Node | null = null;
        for (const pair of node.items) {
          const key = pair.key as Node | null;
          const value = pair.value as Node | null;
          const k = keyText(key);
          if (k === undefined) continue;
          if (key?.range && offset >= key.range[0] && offset < key.range[2]) return [...path, k];
          if (value?.range && offset >= value.range[0] && offset < value.range[2]) {
            path.push(k);
            next = value;
            break;
          }
        }
        if (!next) return path;
        node = next;
      } else if (isSeq(node)) {
        const i = node.items.findIndex((n) => {
          const r = (n as Node | null)?.range;
          return !!r && offset >= r[0] && offset < r[2];
        });
        if (i < 0) return path;
        path.push(i);
        node = node.items[i] as Node;
      } else return path;
    }
  }

  /**
   * The mapping or list holding the last node that ends before `offset`: for a syntax error, the
   * part of the flow that was still well-formed just before it (tasks[0] for a misindented key).
   */
  pathBefore(offset: number): PathSeg[] {
    let best: PathSeg[] = [];
    let bestEnd = -1;
    walkScalars(this.doc, (node, path) => {
      const end = node.range?.[1];
      if (end !== undefined && end <= offset && end >= bestEnd && node.range![0] < end) {
        best = path.slice(0, -1);
        bestEnd = end;
      }
    });
    return best;
  }

  /** The node's range; `firstLine` keeps a whole mapping from being underlined (missing keys). */
  private rangeOf(node: Node, firstLine = false): Position {
    const r = node.range;
    if (!r) return this.position(0);
    let end = Math.max(r[0], trimEnd(this.source, r[0], r[1]));
    if (firstLine) {
      const nl = this.source.indexOf('\n', r[0]);
      if (nl >= 0 && nl < end) end = trimEnd(this.source, r[0], nl);
    }
    return this.position(r[0], end);
  }

  private deref(node: Node | null): Node | null {
    if (isAlias(node)) return (node.resolve(this.doc) as Node | undefined) ?? node;
    return node;
  }
}

const isEmpty = (node: Node): boolean =>
  isScalar(node) && (node.value === null || node.value === undefined) && (!node.range || node.range[0] === node.range[1]);

/** Block scalars end after their trailing newlines: underline up to the last visible character. */
function trimEnd(source: string, start: number, end: number): number {
  let e = end;
  while (e > start && /\s/.test(source[e - 1])) e--;
  return e;
}

/** Every scalar of the document with its path; `isKey` for map keys. Aliases are not followed. */
export function walkScalars(doc: Document, visit: (node: Scalar, path: PathSeg[], isKey: boolean) => void): void {
  const walk = (node: unknown, path: PathSeg[]): void => {
    if (isScalar(node)) visit(node, path, false);
    else if (isMap(node)) {
      for (const pair of node.items) {
        const k = keyText(pair.key) ?? '';
        if (isScalar(pair.key)) visit(pair.key, [...path, k], true);
        walk(pair.value, [...path, k]);
      }
    } else if (isSeq(node)) node.items.forEach((item, i) => walk(item, [...path, i]));
  };
  walk(doc.contents, []);
}
