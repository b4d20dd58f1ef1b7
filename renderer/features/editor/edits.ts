// Graph edits as pure source transformations: `(source, edit) → newSource` (DESIGN.md, "Kestra's
// editor": the YAML text is the one source of truth).
//
// The `yaml` Document API finds the nodes (paths, ranges) and renders new values; the change
// itself is spliced into the text, so everything the edit does not touch stays byte for byte:
// comments, key order, blank lines, quoting, flow lists, indentation. Every edit returns its
// inverse, and `apply(apply(src, e).source, inverse)` gives `src` back exactly.
//
// Runs in the browser and in Node (the `yaml` package is browser-safe); no DOM, no Node builtins.
import { Document, isMap, isScalar, isSeq, parseDocument, stringify, type Node, type Pair, type Scalar, type YAMLMap, type YAMLSeq } from 'yaml';
import { formatPath, isWithin, parsePath, type Seg } from './yaml-paths';

export { formatPath, parsePath } from './yaml-paths';

/** Where a task (or trigger) goes. Paths are the engine's (`tasks[0].then[1]`). */
export type InsertAt =
  | { after: string; column?: number }
  | { before: string; column?: number }
  /** `into` is the path of a list: `tasks`, `tasks[0].then`, `tasks[1].cases.B`, `errors`, `triggers`. */
  | { into: string; index?: number; column?: number };

/** What happens to a list when its last item goes (used by inverses; the default leaves `key: []`). */
export interface WhenEmpty {
  /** Key lines (created by the insert this undoes) directly above the item, removed with it. */
  keyLines: number;
  /** Then the line above is put back as it was. */
  restore?: string;
}

export type GraphEdit =
  | {
      kind: 'insertTask';
      at: InsertAt;
      /** The task as data, or as YAML (a map, without the leading dash). */
      task?: Record<string, unknown>;
      yaml?: string;
      /** Internal (inverses, moves): the item's own lines, dedented to its dash. */
      block?: string[];
      /** Internal (inverses): when the list was empty, its key's line exactly as it was. */
      keyLine?: string;
    }
  | { kind: 'deleteTask'; path: string; whenEmpty?: WhenEmpty }
  | { kind: 'moveTask'; path: string; to: InsertAt }
  | { kind: 'renameId'; path: string; newId: string }
  | {
      kind: 'setProperty';
      /** The task or trigger (`''`: the flow itself). */
      path: string;
      key: string | string[];
      value?: unknown;
      /** Internal (inverses): the value's text exactly as it was, for a one-line scalar. */
      rawValue?: string;
      /** Internal (inverses): the whole entry's lines, dedented to its key. */
      rawPair?: string[];
      /** Where a new key goes among the map's entries (default: a sensible place). */
      index?: number;
    }
  | { kind: 'unsetProperty'; path: string; key: string | string[] }
  | { kind: 'addTrigger'; trigger?: Record<string, unknown>; /** Same as `trigger`. */ task?: Record<string, unknown>; yaml?: string }
  /** Several edits, one after the other (the inverse of a move). */
  | { kind: 'batch'; edits: GraphEdit[] }
  | { kind: 'noop' };

export interface EditResult {
  source: string;
  /** Applying it to `source` gives back the original text. */
  inverse: GraphEdit;
  /** The path of the task the edit created, moved or changed (for selection). */
  path?: string;
}

export class EditError extends Error {}

const TASK_ID = /^[a-zA-Z0-9][a-zA-Z0-9_-]*$/;
const CHILD_LIST_KEYS = new Set(['tasks', 'then', 'else', 'cases', 'defaults', 'errors', 'finally', 'afterExecution']);
/** Kestra's usual order of the flow's own keys: a new one goes before the first that follows it. */
const ROOT_ORDER = ['id', 'namespace', 'description', 'labels', 'revision', 'disabled', 'inputs', 'variables', 'concurrency', 'tasks', 'errors', 'finally', 'afterExecution', 'outputs', 'triggers', 'pluginDefaults', 'taskDefaults', 'listeners', 'retry', 'sla'];

// ---------------------------------------------------------------------------------------------
// The text, as lines (line endings normalized to \n and restored on output)

class Text {
  readonly lines: string[];
  private readonly starts: number[];
  readonly crlf: boolean;

  constructor(readonly src: string) {
    this.crlf = src.includes('\r\n') && !/(^|[^\r])\n/.test(src);
    const norm = this.crlf ? src.replace(/\r\n/g, '\n') : src;
    this.lines = norm.split('\n');
    this.starts = [];
    let off = 0;
    for (const l of this.lines) {
      this.starts.push(off);
      off += l.length + 1;
    }
    this.norm = norm;
  }

  readonly norm: string;

  lineOf(offset: number): number {
    let lo = 0;
    let hi = this.starts.length - 1;
    while (lo < hi) {
      const mid = (lo + hi + 1) >> 1;
      if (this.starts[mid] <= offset) lo = mid;
      else hi = mid - 1;
    }
    return lo;
  }

  colOf(offset: number): number {
    return offset - this.starts[this.lineOf(offset)];
  }

  lineStart(line: number): number {
    return this.starts[line];
  }

  /** The line holding the last non-blank character before `end`. */
  lastContentLine(start: number, end: number): number {
    let e = end;
    while (e > start && /\s/.test(this.norm[e - 1])) e--;
    return this.lineOf(Math.max(start, e - 1));
  }

  static join(lines: string[], crlf: boolean): string {
    const s = lines.join('\n');
    return crlf ? s.replace(/\n/g, '\r\n') : s;
  }
}

const indentOf = (line: string): number => line.length - line.trimStart().length;
const isBlank = (line: string): boolean => line.trim() === '';
const isComment = (line: string): boolean => line.trimStart().startsWith('#');

function dedent(lines: string[], col: number): string[] {
  return lines.map((l) => (isBlank(l) ? l : l.slice(Math.min(col, indentOf(l)))));
}

function indent(lines: string[], col: number): string[] {
  const pad = ' '.repeat(col);
  return lines.map((l) => (isBlank(l) ? l : pad + l));
}

// ---------------------------------------------------------------------------------------------
// The parsed document and what we can find in it

interface Parsed {
  t: Text;
  doc: Document.Parsed;
  /** The indentation unit (2 unless the document says otherwise). */
  unit: number;
  /** Whether block lists are indented under their key (`tasks:\n  - id`), as yaml writes them. */
  indentSeq: boolean;
}

function parse(src: string): Parsed {
  const t = new Text(src);
  const doc = parseDocument(t.norm, { keepSourceTokens: false, uniqueKeys: false });
  if (doc.errors.length) {
    const e = doc.errors[0];
    throw new EditError(`the YAML has errors (${e.message.split('\n')[0]}): fix them before editing the graph`);
  }
  if (!isMap(doc.contents)) throw new EditError('the flow is not a YAML map');
  const { unit, indentSeq } = detectStyle(t, doc.contents);
  return { t, doc, unit, indentSeq };
}

function detectStyle(t: Text, root: YAMLMap): { unit: number; indentSeq: boolean } {
  let unit = 0;
  let indentSeq: boolean | undefined;
  const visit = (node: unknown, keyCol: number): void => {
    if (isMap(node) && !node.flow) {
      for (const p of node.items) {
        const k = p.key as Node | null;
        if (!k?.range) continue;
        const col = t.colOf(k.range[0]);
        if (col > keyCol && keyCol >= 0 && !unit && !onDashLine(t, k.range[0])) unit = col - keyCol;
        visit(p.value, col);
      }
    } else if (isSeq(node) && !node.flow && node.items.length) {
      const first = node.items[0] as Node;
      if (first?.range) {
        const dash = dashOf(t, first);
        if (dash && indentSeq === undefined && keyCol >= 0) indentSeq = dash.col > keyCol;
        for (const it of node.items) visit(it, -1);
      }
    }
  };
  visit(root, -1);
  return { unit: unit || 2, indentSeq: indentSeq ?? true };
}

function onDashLine(t: Text, offset: number): boolean {
  const line = t.lines[t.lineOf(offset)];
  return /^\s*-\s/.test(line.slice(0, t.colOf(offset)));
}

/** The `-` of a block list's item: its line and column. */
function dashOf(t: Text, node: Node): { line: number; col: number } | undefined {
  const start = node.range![0];
  const line = t.lineOf(start);
  const before = t.lines[line].slice(0, t.colOf(start));
  const m = /^(\s*)-\s+$/.exec(before) ?? /^(\s*)-$/.exec(before);
  if (m) return { line, col: m[1].length };
  if (isBlank(before)) {
    // `-` alone on a line, the item below it
    for (let l = line - 1; l >= 0; l--) {
      const text = t.lines[l];
      if (isBlank(text) || isComment(text)) continue;
      const d = /^(\s*)-\s*(#.*)?$/.exec(text);
      return d ? { line: l, col: d[1].length } : undefined;
    }
  }
  return undefined;
}

function resolve(doc: Document.Parsed, segs: readonly Seg[]): { node: unknown; pair?: Pair; parent?: unknown } {
  let node: unknown = doc.contents;
  let pair: Pair | undefined;
  let parent: unknown;
  for (const seg of segs) {
    parent = node;
    if (isMap(node) && typeof seg === 'string') {
      pair = findPair(node, seg);
      if (!pair) return { node: undefined, parent };
      node = pair.value;
    } else if (isSeq(node) && typeof seg === 'number') {
      pair = undefined;
      node = node.items[seg];
      if (node === undefined) return { node: undefined, parent };
    } else return { node: undefined, parent };
  }
  return { node, pair, parent };
}

const keyText = (k: unknown): string | undefined => (isScalar(k) ? String(k.value) : k == null ? undefined : String(k));
const findPair = (map: YAMLMap, key: string): Pair | undefined => map.items.find((p) => keyText(p.key) === key) as Pair | undefined;
const isNullish = (v: unknown): boolean => v == null || (isScalar(v) && v.value == null);

function mustResolveItem(p: Parsed, path: string): { segs: Seg[]; seqSegs: Seg[]; index: number; seq: YAMLSeq; node: Node } {
  const segs = parsePath(path);
  const index = segs[segs.length - 1];
  if (typeof index !== 'number') throw new EditError(`${path} is not an item of a list`);
  const seqSegs = segs.slice(0, -1);
  const { node: seq } = resolve(p.doc, seqSegs);
  if (!isSeq(seq) || !seq.items[index]) throw new EditError(`nothing at ${path}`);
  if (seq.flow) throw new EditError(`${formatPath(seqSegs)} is written inline ([…]): edit it in the YAML`);
  return { segs, seqSegs, index, seq, node: seq.items[index] as Node };
}

// ---------------------------------------------------------------------------------------------
// Blocks of lines: a list item, a map entry (with the blank lines and comments above them)

interface Block {
  /** First line (blank lines and comments that belong to it included). */
  start: number;
  /** The line of the `-` or the key. */
  head: number;
  /** Last line. */
  end: number;
  /** Column of the `-` or the key. */
  col: number;
}

function itemBlock(t: Text, seq: YAMLSeq, index: number): Block {
  const node = seq.items[index] as Node;
  if (!node?.range) throw new EditError('this list item has no position');
  const dash = dashOf(t, node);
  if (!dash) throw new EditError('this list is not a block list');
  return { start: leadingStart(t, dash.line, dash.col), head: dash.line, end: trailingEnd(t, t.lastContentLine(node.range[0], node.range[1]), dash.col), col: dash.col };
}

function pairBlock(t: Text, pair: Pair): Block {
  const key = pair.key as Node;
  const head = t.lineOf(key.range![0]);
  const col = t.colOf(key.range![0]);
  const value = pair.value as Node | null;
  const last = value?.range && value.range[1] > key.range![0] ? t.lastContentLine(key.range![0], value.range[1]) : t.lastContentLine(key.range![0], key.range![2]);
  const onDash = onDashLine(t, key.range![0]);
  return { start: onDash ? head : leadingStart(t, head, col), head, end: trailingEnd(t, Math.max(head, last), col), col };
}

/** Blank lines and comments at the item's own column, directly above it, belong to it. */
function leadingStart(t: Text, head: number, col: number): number {
  let s = head;
  while (s > 0) {
    const prev = t.lines[s - 1];
    if (isBlank(prev) || (isComment(prev) && indentOf(prev) === col)) s--;
    else break;
  }
  return s;
}

/** Comments indented deeper than the item, right after it, are the item's. */
function trailingEnd(t: Text, last: number, col: number): number {
  let e = last;
  while (e + 1 < t.lines.length && isComment(t.lines[e + 1]) && indentOf(t.lines[e + 1]) > col) e++;
  return e;
}

function mapKeyCol(t: Text, map: YAMLMap): number {
  const k = map.items[0]?.key as Node | undefined;
  if (!k?.range) throw new EditError('empty map');
  return t.colOf(k.range[0]);
}

/** Last line of a block map (its last entry). */
function mapEnd(t: Text, map: YAMLMap): number {
  return pairBlock(t, map.items[map.items.length - 1] as Pair).end;
}

// ---------------------------------------------------------------------------------------------
// Rendering new YAML

function renderLines(value: unknown, p: Parsed): string[] {
  const text = stringify(value, { lineWidth: 0, indent: p.unit, indentSeq: p.indentSeq, aliasDuplicateObjects: false });
  return text.replace(/\n$/, '').split('\n');
}

/** A task as the lines of a list item, dedented to its dash: `- id: x`, `  type: …`. */
function itemLines(task: Record<string, unknown> | undefined, yamlText: string | undefined, p: Parsed): string[] {
  let lines: string[];
  if (yamlText !== undefined) {
    const parsed = parseDocument(yamlText);
    if (parsed.errors.length) throw new EditError(`the task's YAML has errors: ${parsed.errors[0].message.split('\n')[0]}`);
    if (!isMap(parsed.contents)) throw new EditError('a task is a YAML map');
    lines = yamlText.replace(/\s+$/, '').split('\n');
    const base = Math.min(...lines.filter((l) => !isBlank(l)).map(indentOf));
    lines = dedent(lines, base);
  } else if (task) {
    lines = renderLines(task, p);
  } else throw new EditError('no task given');
  return [`- ${lines[0]}`, ...lines.slice(1).map((l) => (isBlank(l) ? l : `  ${l}`))];
}

function renderScalar(value: unknown, like?: Scalar): string | undefined {
  if (value !== null && typeof value === 'object') return undefined;
  const d = new Document(value);
  if (like && isScalar(d.contents) && typeof value === 'string' && (like.type === 'QUOTE_SINGLE' || like.type === 'QUOTE_DOUBLE')) d.contents.type = like.type;
  const s = d.toString({ lineWidth: 0 }).replace(/\n$/, '');
  return s.includes('\n') ? undefined : s;
}

/** `key: value` as lines dedented to the key; the key keeps its source spelling when given. */
function pairLines(key: string, value: unknown, p: Parsed, keySource?: string): string[] {
  const lines = renderLines({ [key]: value }, p);
  if (keySource !== undefined) {
    const rendered = stringify(key).replace(/\n$/, '');
    if (lines[0].startsWith(rendered)) lines[0] = keySource + lines[0].slice(rendered.length);
  }
  return lines;
}

// ---------------------------------------------------------------------------------------------
// The edits

export function applyEdit(source: string, edit: GraphEdit): EditResult {
  switch (edit.kind) {
    case 'noop':
      return { source, inverse: { kind: 'noop' } };
    case 'batch': {
      let s = source;
      let path: string | undefined;
      const inverses: GraphEdit[] = [];
      for (const e of edit.edits) {
        const r = applyEdit(s, e);
        s = r.source;
        path = r.path ?? path;
        inverses.unshift(r.inverse);
      }
      return { source: s, inverse: { kind: 'batch', edits: inverses }, path };
    }
    case 'insertTask':
      return insertTask(source, edit.at, itemLinesFor(source, edit), edit.keyLine);
    case 'addTrigger':
      return insertTask(source, { into: 'triggers' }, itemLinesFor(source, { task: edit.trigger ?? edit.task, yaml: edit.yaml }));
    case 'deleteTask':
      return deleteTask(source, edit.path, edit.whenEmpty);
    case 'moveTask':
      return moveTask(source, edit.path, edit.to);
    case 'renameId':
      return renameId(source, edit.path, edit.newId);
    case 'setProperty':
      return setProperty(source, edit);
    case 'unsetProperty':
      return unsetProperty(source, edit.path, keyPath(edit.key));
  }
}

/** Applies edits one after the other. */
export function applyEdits(source: string, edits: GraphEdit[]): string {
  return edits.reduce((s, e) => applyEdit(s, e).source, source);
}

const keyPath = (k: string | string[]): string[] => (Array.isArray(k) ? k : [k]);

function itemLinesFor(source: string, e: { task?: Record<string, unknown>; yaml?: string; block?: string[] }): string[] {
  if (e.block) return e.block;
  return itemLines(e.task, e.yaml, parse(source));
}

/** Resolves an insertion point to a list path and an index (undefined: at the end). */
function target(p: Parsed, at: InsertAt): { seqSegs: Seg[]; index?: number } {
  if ('into' in at) return { seqSegs: parsePath(at.into), index: at.index };
  const segs = parsePath('after' in at ? at.after : at.before);
  const i = segs[segs.length - 1];
  if (typeof i !== 'number') throw new EditError(`${formatPath(segs)} is not an item of a list`);
  const { node } = resolve(p.doc, segs);
  if (node === undefined) throw new EditError(`nothing at ${formatPath(segs)}`);
  return { seqSegs: segs.slice(0, -1), index: 'after' in at ? i + 1 : i };
}

function insertTask(source: string, at: InsertAt, block: string[], keyLine?: string): EditResult {
  const p = parse(source);
  const { seqSegs, index } = target(p, at);
  const ins = insertItemLines(p, seqSegs, index, block, at.column, keyLine);
  const path = formatPath([...seqSegs, ins.index]);
  return { source: Text.join(ins.lines, p.t.crlf), inverse: { kind: 'deleteTask', path, ...(ins.whenEmpty ? { whenEmpty: ins.whenEmpty } : {}) }, path };
}

/** Puts an item's lines into the list at `seqSegs` (created when missing). */
function insertItemLines(
  p: Parsed, seqSegs: Seg[], index: number | undefined, block: string[], column?: number, keyLineText?: string,
): { lines: string[]; index: number; whenEmpty?: WhenEmpty } {
  const { t } = p;
  const lines = [...t.lines];
  const { node, pair } = resolve(p.doc, seqSegs);

  if (isSeq(node) && !node.flow && node.items.length) {
    const n = node.items.length;
    const i = Math.max(0, Math.min(index ?? n, n));
    const col = itemBlock(t, node, 0).col;
    const at = i < n ? itemBlock(t, node, i).start : itemBlock(t, node, n - 1).end + 1;
    lines.splice(at, 0, ...indent(block, col));
    return { lines, index: i };
  }

  // An empty list (`then: []`, `else:`) or no list at all: start from the deepest thing there is.
  if (isSeq(node) && node.flow) {
    if (node.items.length) throw new EditError(`${formatPath(seqSegs)} is written inline ([…]): edit it in the YAML`);
  } else if (node !== undefined && !isNullish(node)) throw new EditError(`${formatPath(seqSegs)} is not a list of tasks`);

  let depth = seqSegs.length;
  let holder: { node: unknown; pair?: Pair } = { node, pair };
  if (node === undefined) {
    for (depth = seqSegs.length - 1; depth >= 0; depth--) {
      holder = resolve(p.doc, seqSegs.slice(0, depth));
      if (holder.node !== undefined) break;
    }
  }
  const missing = seqSegs.slice(depth);
  if (missing.some((s) => typeof s !== 'string')) throw new EditError(`cannot create ${formatPath(seqSegs)}`);

  let restore: string | undefined;
  let insertAt: number;
  let keyCol: number;
  const created: string[] = [];
  const h = holder.node;
  if (isMap(h) && !h.flow && h.items.length) {
    // The missing keys go at the end of the map.
    keyCol = mapKeyCol(t, h);
    insertAt = mapEnd(t, h) + 1;
    missing.forEach((k, j) => created.push(' '.repeat(keyCol + j * p.unit) + keyLabel(k as string) + ':'));
    keyCol += (missing.length - 1) * p.unit;
  } else if (holder.pair && (isNullish(h) || ((isSeq(h) || isMap(h)) && h.items.length === 0))) {
    // `key:` / `key: []` / `key: {}`: the value goes, the key stays (the inverse puts the line back).
    const k = holder.pair.key as Node;
    const keyLine = t.lineOf(k.range![0]);
    keyCol = t.colOf(k.range![0]);
    restore = lines[keyLine];
    if (keyLineText !== undefined && !missing.length) lines[keyLine] = keyLineText;
    else {
      const v = h as Node | null;
      const kEnd = k.range![1] - t.lineStart(keyLine);
      let rest = lines[keyLine].slice(kEnd).replace(/^\s*:/, '');
      if (v?.range && v.range[1] > v.range[0] && t.lineOf(v.range[0]) === keyLine) {
        const vs = t.colOf(v.range[0]) - kEnd;
        const ve = v.range[1] - t.lineStart(keyLine) - kEnd;
        const whole = lines[keyLine].slice(kEnd);
        rest = (whole.slice(0, vs).replace(/^\s*:/, '') + whole.slice(ve)).trim();
        rest = rest ? ` ${rest}` : '';
      } else rest = rest.trimEnd();
      lines[keyLine] = lines[keyLine].slice(0, kEnd) + ':' + rest;
    }
    insertAt = keyLine + 1;
    missing.forEach((key, j) => created.push(' '.repeat(keyCol + (j + 1) * p.unit) + keyLabel(key as string) + ':'));
    keyCol += missing.length * p.unit;
  } else {
    throw new EditError(`cannot add a task to ${formatPath(seqSegs)}`);
  }
  const col = column ?? keyCol + (p.indentSeq ? p.unit : 0);
  lines.splice(insertAt, 0, ...created, ...indent(block, col));
  return { lines, index: 0, whenEmpty: { keyLines: created.length, ...(restore !== undefined ? { restore } : {}) } };
}

const keyLabel = (k: string): string => stringify(k).replace(/\n$/, '');

function deleteTask(source: string, path: string, whenEmpty?: WhenEmpty): EditResult {
  const p = parse(source);
  const { t } = p;
  const { seqSegs, index, seq } = mustResolveItem(p, path);
  const b = itemBlock(t, seq, index);
  const lines = [...t.lines];
  const removed = lines.slice(b.start, b.end + 1);
  lines.splice(b.start, b.end - b.start + 1);
  const block = dedent(removed, b.col);
  if (seq.items.length > 1) {
    return { source: Text.join(lines, t.crlf), inverse: { kind: 'insertTask', at: { into: formatPath(seqSegs), index }, block } };
  }
  // The last item of its list.
  if (whenEmpty) {
    lines.splice(b.start - whenEmpty.keyLines, whenEmpty.keyLines);
    if (whenEmpty.restore !== undefined) lines[b.start - whenEmpty.keyLines - 1] = whenEmpty.restore;
    return { source: Text.join(lines, t.crlf), inverse: { kind: 'insertTask', at: { into: formatPath(seqSegs), index, column: b.col }, block } };
  }
  // The list stays, empty: `key: []` (a comment on the key's line is kept).
  const { pair } = resolve(p.doc, seqSegs);
  const k = pair?.key as Node | undefined;
  if (!k?.range) throw new EditError(`cannot empty the list at ${formatPath(seqSegs)}`);
  const keyLine = t.lineOf(k.range[0]);
  const kEnd = k.range[1] - t.lineStart(keyLine);
  const before = lines[keyLine];
  const m = /^\s*:\s*(#.*)?$/.exec(before.slice(kEnd));
  if (!m) throw new EditError(`cannot empty the list at ${formatPath(seqSegs)}`);
  lines[keyLine] = `${before.slice(0, kEnd)}: []${m[1] ? ` ${m[1]}` : ''}`;
  return {
    source: Text.join(lines, t.crlf),
    inverse: { kind: 'insertTask', at: { into: formatPath(seqSegs), index, column: b.col }, block, keyLine: before },
  };
}

function moveTask(source: string, path: string, to: InsertAt): EditResult {
  const p = parse(source);
  const { segs, seqSegs, index } = mustResolveItem(p, path);
  const dest = target(p, to);
  if (isWithin(dest.seqSegs, segs)) throw new EditError('a task cannot move inside itself');
  // The destination as it is once the task is gone from where it was.
  const destSegs = [...dest.seqSegs];
  let destIndex = dest.index;
  if (destSegs.length > seqSegs.length && isWithin(destSegs, seqSegs)) {
    const j = destSegs[seqSegs.length] as number;
    if (j > index) destSegs[seqSegs.length] = j - 1;
  } else if (formatPath(destSegs) === formatPath(seqSegs) && destIndex !== undefined && destIndex > index) {
    destIndex -= 1;
  }
  const removed = deleteTask(source, path);
  const back = removed.inverse as Extract<GraphEdit, { kind: 'insertTask' }>;
  const p2 = parse(removed.source);
  const ins = insertItemLines(p2, destSegs, destIndex, back.block!, to.column);
  const newPath = formatPath([...destSegs, ins.index]);
  // Undo: take it out of where it landed (and what landing created), put it back where it was.
  const inverse: GraphEdit = {
    kind: 'batch',
    edits: [{ kind: 'deleteTask', path: newPath, ...(ins.whenEmpty ? { whenEmpty: ins.whenEmpty } : {}) }, back],
  };
  return { source: Text.join(ins.lines, p2.t.crlf), inverse, path: newPath };
}

// ---------------------------------------------------------------------------------------------
// Ids and references

function renameId(source: string, path: string, newId: string): EditResult {
  if (!TASK_ID.test(newId)) throw new EditError(`"${newId}" is not a valid id: use letters, digits, "-" and "_", starting with a letter or digit`);
  const p = parse(source);
  const { node } = resolve(p.doc, parsePath(path));
  if (!isMap(node)) throw new EditError(`nothing at ${path}`);
  const idPair = findPair(node, 'id');
  const v = idPair?.value;
  if (!isScalar(v) || typeof v.value !== 'string' || !v.range) throw new EditError(`${path} has no id`);
  const old = v.value;
  if (old === newId) return { source, inverse: { kind: 'noop' }, path };
  if (allIds(p.doc.toJS()).has(newId)) throw new EditError(`the id "${newId}" is already used`);
  const edits: { from: number; to: number; text: string }[] = [{ from: v.range[0], to: v.range[1], text: renderScalar(newId, v)! }];
  if (parsePath(path)[0] !== 'triggers') edits.push(...referenceEdits(p, old, newId, [v.range[0], v.range[1]]));
  edits.sort((a, b) => b.from - a.from);
  let out = p.t.norm;
  for (const e of edits) out = out.slice(0, e.from) + e.text + out.slice(e.to);
  return { source: p.t.crlf ? out.replace(/\n/g, '\r\n') : out, inverse: { kind: 'renameId', path, newId: old }, path };
}

/** Every id of a task or trigger in the flow. */
export function allIds(flow: unknown): Set<string> {
  const ids = new Set<string>();
  const walk = (v: unknown): void => {
    if (Array.isArray(v)) v.forEach(walk);
    else if (v && typeof v === 'object') {
      const o = v as Record<string, unknown>;
      if (typeof o.id === 'string' && typeof o.type === 'string') ids.add(o.id);
      for (const x of Object.values(o)) walk(x);
    }
  };
  const root = flow as Record<string, unknown> | null;
  if (root && typeof root === 'object') for (const k of ['tasks', 'errors', 'finally', 'afterExecution', 'triggers']) walk(root[k]);
  return ids;
}

/** The places an expression names a task's outputs: `outputs.old`, `outputs['old']`, `outputs["old"]`. */
function referenceEdits(p: Parsed, oldId: string, newId: string, skip: [number, number]): { from: number; to: number; text: string }[] {
  const text = p.t.norm;
  const quoted = quotedRanges(p.doc);
  const out: { from: number; to: number; text: string }[] = [];
  const esc = oldId.replace(/[.*+?^${}()|[\]\\-]/g, '\\$&');
  const ref = new RegExp(`(outputs\\s*\\.\\s*)${esc}(?![\\w-])|(outputs\\s*\\[\\s*)(['"])${esc}\\3(\\s*\\])`, 'g');
  const spans = /\{\{[\s\S]*?\}\}|\{%[\s\S]*?%\}/g;
  for (let s = spans.exec(text); s; s = spans.exec(text)) {
    if (s.index < skip[1] && s.index + s[0].length > skip[0]) continue;
    for (let m = ref.exec(s[0]); m; m = ref.exec(s[0])) {
      const from = s.index + m.index;
      let replacement: string;
      if (m[1] !== undefined) {
        if (/^[A-Za-z_]\w*$/.test(newId)) replacement = `${m[1]}${newId}`;
        else {
          // `outputs.new-id` would read as a subtraction: use brackets, with a quote the scalar allows.
          const q = quoted.find(([a, b]) => from >= a && from < b)?.[2] === 'QUOTE_SINGLE' ? '"' : "'";
          replacement = `outputs[${q}${newId}${q}]`;
        }
      } else replacement = `${m[2]}${m[3]}${newId}${m[3]}${m[4]}`;
      out.push({ from, to: from + m[0].length, text: replacement });
    }
    ref.lastIndex = 0;
  }
  return out;
}

function quotedRanges(doc: Document.Parsed): [number, number, string][] {
  const out: [number, number, string][] = [];
  const walk = (n: unknown): void => {
    if (isScalar(n)) {
      if (n.range && (n.type === 'QUOTE_SINGLE' || n.type === 'QUOTE_DOUBLE')) out.push([n.range[0], n.range[1], n.type]);
    } else if (isMap(n)) n.items.forEach((pr) => walk(pr.value));
    else if (isSeq(n)) n.items.forEach(walk);
  };
  walk(doc.contents);
  return out;
}

// ---------------------------------------------------------------------------------------------
// Properties

type SetEdit = Extract<GraphEdit, { kind: 'setProperty' }>;

function taskMap(p: Parsed, path: string): YAMLMap {
  const { node } = resolve(p.doc, path ? parsePath(path) : []);
  if (!isMap(node)) throw new EditError(`nothing at ${path || 'the flow'}`);
  if (node.flow) throw new EditError(`${path} is written inline ({…}): edit it in the YAML`);
  return node;
}

function setProperty(source: string, e: SetEdit): EditResult {
  const keys = keyPath(e.key);
  if (!keys.length) throw new EditError('no property given');
  if (e.value === undefined && e.rawValue === undefined && e.rawPair === undefined) return unsetProperty(source, e.path, keys);
  const p = parse(source);
  const { t } = p;

  // Down to the deepest map that exists.
  let map = taskMap(p, e.path);
  let d = 0;
  for (; d < keys.length - 1; d++) {
    const pair = findPair(map, keys[d]);
    if (!pair) break;
    const v = pair.value;
    if (isMap(v) && !v.flow && v.items.length) map = v;
    else if (isMap(v) || isNullish(v)) return replaceWholePair(p, e, d, pair);
    else throw new EditError(`${keys.slice(0, d + 1).join('.')} is not a map`);
  }

  const pair = findPair(map, keys[d]);
  if (pair && d === keys.length - 1) {
    if (e.rawPair) return replaceWholePair(p, e, d, pair);
    const v = pair.value as Node | null;
    const oneLine = !!v?.range && t.lineOf(v.range[0]) === t.lineOf(Math.max(v.range[0], v.range[1] - 1));
    const k = pair.key as Node;
    if (isScalar(v) && oneLine && !isBlockScalar(v) && v.range![1] > v.range![0] && t.lineOf(v.range![0]) === t.lineOf(k.range![0])) {
      // A one-line scalar becomes another: only the value's text changes (a comment after it stays).
      const text = e.rawValue ?? renderScalar(e.value, v);
      if (text !== undefined) {
        const [from, to] = [v.range![0], v.range![1]];
        const out = t.norm.slice(0, from) + text + t.norm.slice(to);
        return { source: t.crlf ? out.replace(/\n/g, '\r\n') : out, inverse: { kind: 'setProperty', path: e.path, key: keys, rawValue: t.norm.slice(from, to) }, path: e.path };
      }
    }
    return replaceWholePair(p, e, d, pair);
  }

  // A new key (with the maps on the way to it).
  let value: unknown = e.value;
  for (let j = keys.length - 1; j > d; j--) value = { [keys[j]]: value };
  const newLines = e.rawPair ?? pairLines(keys[d], value, p);
  const lines = [...t.lines];
  const keyCol = mapKeyCol(t, map);
  const n = map.items.length;
  const index = Math.max(0, Math.min(e.index ?? defaultIndex(map, keys[d], map === p.doc.contents), n));
  if (index < n) {
    const next = map.items[index] as Pair;
    const b = pairBlock(t, next);
    if (onDashLine(t, (next.key as Node).range![0])) {
      // The map starts on a `- ` line: the new key takes the dash, the old first key moves down.
      const head = lines[b.head];
      lines.splice(b.head, 1, head.slice(0, keyCol) + newLines[0], ...indent(newLines.slice(1), keyCol), ' '.repeat(keyCol) + head.slice(keyCol));
    } else lines.splice(b.start, 0, ...indent(newLines, keyCol));
  } else {
    lines.splice(mapEnd(t, map) + 1, 0, ...indent(newLines, keyCol));
  }
  return { source: Text.join(lines, t.crlf), inverse: { kind: 'unsetProperty', path: e.path, key: keys.slice(0, d + 1) }, path: e.path };
}

const isBlockScalar = (v: Scalar): boolean => v.type === 'BLOCK_LITERAL' || v.type === 'BLOCK_FOLDED';

/** The entry's lines, the first from its key on, the others dedented to the key. */
function rawPairOf(t: Text, pair: Pair): string[] {
  const b = pairBlock(t, pair);
  const ls = t.lines.slice(b.head, b.end + 1);
  return [ls[0].slice(b.col), ...dedent(ls.slice(1), b.col)];
}

/** Rewrites a whole entry (`key: value`, over as many lines as it takes); `depth` is its key's index in the edit's key path. */
function replaceWholePair(p: Parsed, e: SetEdit, depth: number, pair: Pair): EditResult {
  const { t } = p;
  const keys = keyPath(e.key);
  const k = pair.key as Node;
  const b = pairBlock(t, pair);
  let newLines: string[];
  if (e.rawPair) newLines = e.rawPair;
  else {
    const sub = keys.slice(depth + 1);
    let value: unknown = e.value;
    if (sub.length) {
      const current = pair.value && typeof (pair.value as Node).toJSON === 'function' ? (pair.value as Node).toJSON() : null;
      value = setIn(current && typeof current === 'object' && !Array.isArray(current) ? structuredClone(current) : {}, sub, e.value);
    }
    newLines = pairLines(keyText(pair.key)!, value, p, t.norm.slice(k.range![0], k.range![1]));
  }
  const lines = [...t.lines];
  const head = lines[b.head];
  const inverse: GraphEdit = { kind: 'setProperty', path: e.path, key: keys.slice(0, depth + 1), rawPair: rawPairOf(t, pair) };
  lines.splice(b.head, b.end - b.head + 1, head.slice(0, b.col) + newLines[0], ...indent(newLines.slice(1), b.col));
  return { source: Text.join(lines, t.crlf), inverse, path: e.path };
}

function setIn(obj: Record<string, unknown>, keys: string[], value: unknown): Record<string, unknown> {
  let o = obj;
  keys.forEach((k, i) => {
    if (i === keys.length - 1) {
      if (value === undefined) delete o[k];
      else o[k] = value;
    } else {
      if (!o[k] || typeof o[k] !== 'object') o[k] = {};
      o = o[k] as Record<string, unknown>;
    }
  });
  return obj;
}

function defaultIndex(map: YAMLMap, key: string, isRoot: boolean): number {
  const keys = map.items.map((pr) => keyText(pr.key) ?? '');
  if (isRoot) {
    const rank = ROOT_ORDER.indexOf(key);
    if (rank < 0) return keys.length;
    const i = keys.findIndex((k) => ROOT_ORDER.indexOf(k) > rank);
    return i < 0 ? keys.length : i;
  }
  // In a task: before its lists of child tasks (then/else/tasks/…), which read best last.
  if (CHILD_LIST_KEYS.has(key)) return keys.length;
  const i = keys.findIndex((k, j) => j > 0 && CHILD_LIST_KEYS.has(k) && (isSeq(map.items[j].value) || isMap(map.items[j].value)));
  return i < 0 ? keys.length : i;
}

function unsetProperty(source: string, path: string, keys: string[]): EditResult {
  const p = parse(source);
  const { t } = p;
  const root = taskMap(p, path);
  const chain: { map: YAMLMap; pair: Pair }[] = [];
  let map = root;
  for (let d = 0; d < keys.length; d++) {
    const pair = findPair(map, keys[d]);
    if (!pair) return { source, inverse: { kind: 'noop' }, path };
    chain.push({ map, pair });
    if (d < keys.length - 1) {
      if (!isMap(pair.value)) return { source, inverse: { kind: 'noop' }, path };
      // Inside an inline map: that entry is rewritten as a block, without the key.
      if (pair.value.flow) return replaceWholePair(p, { kind: 'setProperty', path, key: keys, value: undefined }, d, pair);
      map = pair.value;
    }
  }
  // The entry goes; a map it leaves empty goes too (up to the task itself).
  let level = chain.length - 1;
  while (level > 0 && chain[level].map.items.length === 1) level--;
  const { map: holder, pair } = chain[level];
  if (holder.items.length === 1) throw new EditError('cannot remove the only property');
  const index = holder.items.indexOf(pair);
  const b = pairBlock(t, pair);
  const lines = [...t.lines];
  const removed = lines.slice(b.start, b.end + 1);
  const inverseKeys = keys.slice(0, level + 1);
  if (onDashLine(t, (pair.key as Node).range![0])) {
    // The first key of a list item: the next key moves up onto the `- ` line.
    const next = lines[b.end + 1];
    if (next === undefined || isBlank(next) || isComment(next) || indentOf(next) !== b.col) throw new EditError('cannot remove the first key of this item here: edit it in the YAML');
    lines.splice(b.head, b.end - b.head + 2, lines[b.head].slice(0, b.col) + next.slice(b.col));
    const rawPair = [removed[0].slice(b.col), ...dedent(removed.slice(1), b.col)];
    return { source: Text.join(lines, t.crlf), inverse: { kind: 'setProperty', path, key: inverseKeys, rawPair, index }, path };
  }
  lines.splice(b.start, b.end - b.start + 1);
  // The inverse puts the same lines (blank lines and comments above included) back before the next entry.
  return { source: Text.join(lines, t.crlf), inverse: { kind: 'setProperty', path, key: inverseKeys, rawPair: dedent(removed, b.col), index }, path };
}

// ---------------------------------------------------------------------------------------------
// Reading the source (for the graph, the forms and selection sync)

/** The plain value at a path (`''`: the whole flow), or undefined (also when the YAML does not parse). */
export function valueAt(source: string, path: string): unknown {
  try {
    const doc = parseDocument(source, { uniqueKeys: false });
    if (doc.errors.length) return undefined;
    const { node } = resolve(doc as Document.Parsed, path ? parsePath(path) : []);
    if (node === undefined || node === null) return node ?? undefined;
    return typeof (node as Node).toJSON === 'function' ? (node as Node).toJSON() : node;
  } catch {
    return undefined;
  }
}

/** A fresh id for a new task: `log`, `log_2`, `log_3` … */
export function uniqueId(source: string, base: string): string {
  let ids: Set<string>;
  try {
    ids = allIds(parseDocument(source).toJS());
  } catch {
    ids = new Set();
  }
  const clean = base.replace(/[^a-zA-Z0-9_-]/g, '_').replace(/^[^a-zA-Z0-9]+/, '') || 'task';
  if (!ids.has(clean)) return clean;
  for (let n = 2; ; n++) if (!ids.has(`${clean}_${n}`)) return `${clean}_${n}`;
}

/** Lines (1-based, inclusive) of the task or trigger at `path`, for revealing it in the editor. */
export function linesOf(source: string, path: string): { start: number; end: number } | undefined {
  try {
    const t = new Text(source);
    const doc = parseDocument(t.norm, { uniqueKeys: false });
    const { node } = resolve(doc as Document.Parsed, parsePath(path));
    const r = (node as Node | undefined)?.range;
    if (!r) return undefined;
    return { start: t.lineOf(r[0]) + 1, end: t.lastContentLine(r[0], r[1]) + 1 };
  } catch {
    return undefined;
  }
}

const TASK_LISTS = new Set(['tasks', 'errors', 'finally', 'afterExecution', 'triggers']);

/** The deepest task or trigger holding the 0-based offset: its path (for YAML → graph selection). */
export function pathAtOffset(source: string, offset: number): string | undefined {
  let doc: Document.Parsed;
  try {
    doc = parseDocument(source, { uniqueKeys: false });
  } catch {
    return undefined;
  }
  let found: Seg[] | undefined;
  const visit = (node: unknown, segs: Seg[]): void => {
    if (isMap(node)) {
      const r = (node as Node).range;
      if (r && (offset < r[0] || offset > r[1])) return;
      if (segs.length > 1 && typeof segs[segs.length - 1] === 'number' && findPair(node, 'type')) found = segs;
      for (const pr of node.items) {
        const k = keyText(pr.key);
        if (k !== undefined && (segs.length || TASK_LISTS.has(k))) visit(pr.value, [...segs, k]);
      }
    } else if (isSeq(node)) node.items.forEach((it, i) => visit(it, [...segs, i]));
  };
  visit(doc.contents, []);
  return found ? formatPath(found) : undefined;
}
