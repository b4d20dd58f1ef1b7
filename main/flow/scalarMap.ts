// Maps a position inside a scalar's *value* back to the source text. The value differs from the
// source by quotes, escapes (\n, \u00e9, ''), indentation of block scalars and line folding
// (plain, quoted and `>` scalars turn a line break into a space), so we walk both side by side.
import { Scalar } from 'yaml';

/** A piece of source text that yields `text` in the value (escapes yield one char from several). */
interface Unit {
  text: string;
  offset: number;
  /** A raw line break, which folding may turn into a space (or drop). */
  fold?: boolean;
}

/** Source offset of character `index` of the scalar's value (index = length → end of value). */
export function scalarOffset(source: string, node: Scalar, index: number): number {
  const value = typeof node.value === 'string' ? node.value : String(node.value ?? '');
  const range = node.range;
  if (!range) return 0;
  const units = unitsOf(source, node, range[0], range[1]);
  let u = 0;
  let last = units[0]?.offset ?? range[0];
  for (let i = 0; i < value.length && i <= index; i++) {
    const ch = value[i];
    let k = u;
    // Greedy: the next unit that yields this character (or a line break that folds into it).
    while (k < units.length && !(units[k].text === ch || (units[k].fold && (ch === ' ' || ch === '\n')))) k++;
    if (k >= units.length) return last; // the value does not line up: keep the last known place
    if (i === index) return units[k].offset;
    last = units[k].offset;
    u = k + 1;
  }
  return index >= value.length ? range[1] : last;
}

/** Source offset of a 1-based line/column inside the scalar's value. */
export function scalarOffsetAt(source: string, node: Scalar, line: number, column: number): number {
  const value = typeof node.value === 'string' ? node.value : String(node.value ?? '');
  let index = 0;
  for (let l = 1; l < line; l++) {
    const nl = value.indexOf('\n', index);
    if (nl < 0) break;
    index = nl + 1;
  }
  return scalarOffset(source, node, Math.min(value.length, index + Math.max(0, column - 1)));
}

function unitsOf(source: string, node: Scalar, start: number, end: number): Unit[] {
  const type = node.type;
  const units: Unit[] = [];
  let p = start;
  let stop = end;
  let blockIndent = -1;
  if (type === Scalar.BLOCK_LITERAL || type === Scalar.BLOCK_FOLDED) {
    const nl = source.indexOf('\n', start);
    if (nl < 0 || nl >= end) return units;
    p = nl + 1;
    blockIndent = contentIndent(source, p, end);
  } else if (type === Scalar.QUOTE_DOUBLE || type === Scalar.QUOTE_SINGLE) {
    p = start + 1;
    stop = Math.max(p, end - 1);
  }
  const folding = type !== Scalar.BLOCK_LITERAL;
  let lineStart = type === Scalar.BLOCK_LITERAL || type === Scalar.BLOCK_FOLDED;
  while (p < stop) {
    if (lineStart) {
      // Skip the indentation: all of it in flow scalars, the block's own indent in block scalars.
      let n = 0;
      while (p < stop && (source[p] === ' ' || source[p] === '\t') && (blockIndent < 0 || n < blockIndent)) {
        p++;
        n++;
      }
      lineStart = false;
      continue;
    }
    const ch = source[p];
    if (ch === '\r') {
      p++;
      continue;
    }
    if (ch === '\n') {
      units.push({ text: '\n', offset: p, fold: folding });
      p++;
      lineStart = true;
      continue;
    }
    if (type === Scalar.QUOTE_DOUBLE && ch === '\\') {
      const [text, len] = decodeEscape(source, p);
      if (text) units.push({ text, offset: p });
      p += len;
      if (text === '' && source[p - 1] === '\n') lineStart = true;
      continue;
    }
    if (type === Scalar.QUOTE_SINGLE && ch === "'" && source[p + 1] === "'") {
      units.push({ text: "'", offset: p });
      p += 2;
      continue;
    }
    units.push({ text: ch, offset: p });
    p++;
  }
  return units;
}

function contentIndent(source: string, from: number, end: number): number {
  let p = from;
  while (p < end) {
    let n = 0;
    while (p + n < end && source[p + n] === ' ') n++;
    if (source[p + n] !== '\n' && source[p + n] !== '\r') return n;
    p += n + 1;
  }
  return 0;
}

const SIMPLE_ESCAPES: Record<string, string> = {
  '0': '\0', a: '\x07', b: '\b', t: '\t', '\t': '\t', n: '\n', v: '\v', f: '\f', r: '\r', e: '\x1b',
  ' ': ' ', '"': '"', '/': '/', '\\': '\\', N: '\u0085', _: '\u00a0', L: '\u2028', P: '\u2029',
};

/** [decoded text, source length] of the escape at `p` (a backslash) in a double-quoted scalar. */
function decodeEscape(source: string, p: number): [string, number] {
  const c = source[p + 1];
  if (c === undefined) return ['', 1];
  if (c === '\n') return ['', 2];
  if (c === '\r') return ['', source[p + 2] === '\n' ? 3 : 2];
  if (c in SIMPLE_ESCAPES) return [SIMPLE_ESCAPES[c], 2];
  const width = c === 'x' ? 2 : c === 'u' ? 4 : c === 'U' ? 8 : 0;
  if (width) {
    const code = parseInt(source.slice(p + 2, p + 2 + width), 16);
    if (!Number.isNaN(code)) return [String.fromCodePoint(code), 2 + width];
  }
  return [c, 2];
}
