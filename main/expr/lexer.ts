// Template lexer: splits a Pebble template into text, `{{ … }}` print tags, `{% … %}` execute tags
// (expression tokens inside), drops `{# … #}` comments, honours whitespace control (`{{-`, `-}}`,
// `{%-`, `-%}`, `{#-`, `-#}`) and keeps `{% raw %}…{% endraw %}` (and Pebble's `verbatim`) as text.
// Runs once per template source; rendering never touches it.
import { SyntaxFail } from './errors';

export type TokType =
  | 'text' | 'print_start' | 'print_end' | 'exec_start' | 'exec_end'
  | 'name' | 'num' | 'str' | 'istr' | 'op' | 'punc' | 'eof';

export interface Token {
  t: TokType;
  /** Text, name, operator or punctuation value; the unescaped string for 'str'. */
  v: string;
  pos: number;
  end: number;
  /** 'num': the numeric value and whether it was written with a decimal point. */
  num?: number;
  float?: boolean;
  /** 'istr': a double-quoted string with `#{…}` interpolation: literal parts and token lists. */
  parts?: (string | Token[])[];
}

const WORD_OPS = new Set(['not', 'and', 'or', 'is', 'contains', 'equals', 'in', 'isIn']);
const SYMBOL_OPS = ['???', '??', '==', '!=', '<=', '>=', '..', '<', '>', '+', '-', '*', '/', '%', '~', '|'];
const PUNCT = '()[]{}?:.,=';

function isIdentStart(c: string): boolean {
  return c === '_' || /\p{L}/u.test(c);
}
function isIdentPart(c: string): boolean {
  return c === '_' || /[\p{L}\p{Nd}]/u.test(c);
}
function isDigit(c: string): boolean {
  return c >= '0' && c <= '9';
}
function isSpace(c: string): boolean {
  return c === ' ' || c === '\t' || c === '\n' || c === '\r' || c === '\f' || c === '\v';
}

export class Lexer {
  private i = 0;
  private readonly tokens: Token[] = [];
  private trimNext = false;
  private tagStart = -1;

  constructor(private readonly src: string) {}

  /** Tokenizes a whole template. */
  tokenize(): Token[] {
    const src = this.src;
    while (this.i < src.length) {
      const open = this.nextOpen(this.i);
      const textEnd = open < 0 ? src.length : open;
      this.pushText(src.slice(this.i, textEnd), this.i);
      if (open < 0) {
        this.i = src.length;
        break;
      }
      this.tagStart = open;
      const kind = src[open + 1];
      this.i = open + 2;
      if (src[this.i] === '-') {
        this.rtrimLastText();
        this.i++;
      }
      if (kind === '#') this.comment();
      else if (kind === '{') this.tag('print_start', 'print_end', '}}');
      else if (!this.raw()) this.tag('exec_start', 'exec_end', '%}');
    }
    this.tokens.push({ t: 'eof', v: '', pos: src.length, end: src.length });
    return this.tokens;
  }

  /** Tokenizes a lone expression (no braces), used by `evaluate`. */
  tokenizeExpression(): Token[] {
    this.tagStart = 0;
    const toks = this.expression(this.src.length, null);
    toks.push({ t: 'eof', v: '', pos: this.src.length, end: this.src.length });
    return toks;
  }

  private nextOpen(from: number): number {
    const src = this.src;
    let i = src.indexOf('{', from);
    while (i >= 0 && i < src.length - 1) {
      const c = src[i + 1];
      if (c === '{' || c === '%' || c === '#') return i;
      i = src.indexOf('{', i + 1);
    }
    return -1;
  }

  private pushText(text: string, pos: number): void {
    if (this.trimNext) {
      text = text.trimStart();
      this.trimNext = false;
    }
    if (text.length > 0) this.tokens.push({ t: 'text', v: text, pos, end: pos + text.length });
  }

  private rtrimLastText(): void {
    const last = this.tokens[this.tokens.length - 1];
    if (last && last.t === 'text') {
      last.v = last.v.trimEnd();
      if (last.v.length === 0) this.tokens.pop();
    }
  }

  private comment(): void {
    const end = this.src.indexOf('#}', this.i);
    if (end < 0) throw new SyntaxFail('unclosed comment: expected "#}"', this.tagStart, this.tagStart);
    if (end > this.i && this.src[end - 1] === '-') this.trimNext = true;
    this.i = end + 2;
  }

  /** `{% raw %}` / `{% verbatim %}`: everything up to the matching end tag is text. */
  private raw(): boolean {
    const src = this.src;
    let j = this.i;
    while (j < src.length && isSpace(src[j])) j++;
    let word = '';
    if (src.startsWith('raw', j)) word = 'raw';
    else if (src.startsWith('verbatim', j)) word = 'verbatim';
    if (!word || isIdentPart(src[j + word.length] ?? ' ')) return false;
    j += word.length;
    while (j < src.length && isSpace(src[j])) j++;
    let trimStart = false;
    if (src[j] === '-') {
      trimStart = true;
      j++;
    }
    if (!src.startsWith('%}', j)) return false;
    j += 2;
    const endWord = 'end' + word;
    let k = j;
    for (;;) {
      const open = src.indexOf('{%', k);
      if (open < 0) throw new SyntaxFail(`unclosed "${word}" tag: expected {% ${endWord} %}`, this.tagStart, this.tagStart);
      let m = open + 2;
      let trimBefore = false;
      if (src[m] === '-') {
        trimBefore = true;
        m++;
      }
      while (m < src.length && isSpace(src[m])) m++;
      if (src.startsWith(endWord, m) && !isIdentPart(src[m + endWord.length] ?? ' ')) {
        m += endWord.length;
        while (m < src.length && isSpace(src[m])) m++;
        let trimAfter = false;
        if (src[m] === '-') {
          trimAfter = true;
          m++;
        }
        if (src.startsWith('%}', m)) {
          let text = src.slice(j, open);
          if (trimStart) text = text.trimStart();
          if (trimBefore) text = text.trimEnd();
          if (text.length > 0) this.tokens.push({ t: 'text', v: text, pos: j, end: open });
          this.trimNext = trimAfter;
          this.i = m + 2;
          return true;
        }
      }
      k = open + 2;
    }
  }

  private tag(startType: TokType, endType: TokType, close: string): void {
    this.tokens.push({ t: startType, v: '', pos: this.tagStart, end: this.i });
    const toks = this.expression(this.src.length, close);
    for (const t of toks) this.tokens.push(t);
  }

  /**
   * Lexes expression tokens from `this.i`. With `close` ('}}' or '%}'), stops after the closing
   * delimiter (pushing the end token); with `close === null` lexes up to `limit`.
   * `interp` mode stops at the `}` closing a `#{` interpolation.
   */
  private expression(limit: number, close: string | null, interp = false): Token[] {
    const src = this.src;
    const out: Token[] = [];
    const brackets: { c: string; pos: number }[] = [];
    for (;;) {
      while (this.i < limit && isSpace(src[this.i])) this.i++;
      const i = this.i;
      if (i >= limit) {
        if (close !== null) {
          throw new SyntaxFail(`unclosed tag: expected "${close}"`, this.tagStart, this.tagStart);
        }
        if (interp) throw new SyntaxFail('unclosed string interpolation: expected "}"', i, this.tagStart);
        if (brackets.length > 0) {
          const b = brackets[brackets.length - 1];
          throw new SyntaxFail(`unclosed "${b.c}"`, b.pos, this.tagStart);
        }
        return out;
      }
      if (close !== null && brackets.length === 0) {
        if (src.startsWith(close, i) || (src[i] === '-' && src.startsWith(close, i + 1))) {
          if (src[i] === '-') {
            this.trimNext = true;
            this.i++;
          }
          out.push({ t: close === '}}' ? 'print_end' : 'exec_end', v: '', pos: this.i, end: this.i + 2 });
          this.i += 2;
          return out;
        }
      }
      if (interp && brackets.length === 0 && src[i] === '}') {
        this.i++;
        return out;
      }
      const c = src[i];
      // operators (symbols)
      let matched = false;
      for (const op of SYMBOL_OPS) {
        if (src.startsWith(op, i)) {
          out.push({ t: 'op', v: op, pos: i, end: i + op.length });
          this.i = i + op.length;
          matched = true;
          break;
        }
      }
      if (matched) continue;
      // names and word operators
      if (isIdentStart(c)) {
        let j = i + 1;
        while (j < limit && isIdentPart(src[j])) j++;
        const word = src.slice(i, j);
        if (WORD_OPS.has(word)) {
          const compound = this.compound(word, j, limit);
          if (compound) {
            out.push({ t: 'op', v: compound.op, pos: i, end: compound.end });
            this.i = compound.end;
          } else {
            out.push({ t: 'op', v: word, pos: i, end: j });
            this.i = j;
          }
        } else {
          out.push({ t: 'name', v: word, pos: i, end: j });
          this.i = j;
        }
        continue;
      }
      // numbers: 12, 12.5, 12L
      if (isDigit(c)) {
        let j = i + 1;
        while (j < limit && isDigit(src[j])) j++;
        let float = false;
        if (src[j] === '.' && isDigit(src[j + 1] ?? '')) {
          float = true;
          j++;
          while (j < limit && isDigit(src[j])) j++;
        }
        const text = src.slice(i, j);
        if (!float && src[j] === 'L') j++;
        out.push({ t: 'num', v: text, pos: i, end: j, num: Number(text), float });
        this.i = j;
        continue;
      }
      // punctuation
      if (PUNCT.includes(c)) {
        if (c === '(' || c === '[' || c === '{') brackets.push({ c, pos: i });
        else if (c === ')' || c === ']' || c === '}') {
          const open = brackets.pop();
          const expected = open ? ({ '(': ')', '[': ']', '{': '}' } as Record<string, string>)[open.c] : undefined;
          if (!open) throw new SyntaxFail(`unexpected "${c}"`, i, this.tagStart);
          if (expected !== c) throw new SyntaxFail(`unclosed "${open.c}": expected "${expected}" but found "${c}"`, i, this.tagStart);
        }
        out.push({ t: 'punc', v: c, pos: i, end: i + 1 });
        this.i = i + 1;
        continue;
      }
      if (c === '"' || c === "'") {
        out.push(this.string(c, limit));
        continue;
      }
      throw new SyntaxFail(`unexpected character "${c}"`, i, this.tagStart);
    }
  }

  /** `is not` and `not in`, written with any whitespace between the words. */
  private compound(word: string, j: number, limit: number): { op: string; end: number } | null {
    const next = word === 'is' ? 'not' : word === 'not' ? 'in' : '';
    if (!next) return null;
    const src = this.src;
    let k = j;
    while (k < limit && isSpace(src[k])) k++;
    if (k === j) return null;
    if (src.startsWith(next, k) && !isIdentPart(src[k + next.length] ?? ' ')) {
      return { op: `${word} ${next}`, end: k + next.length };
    }
    return null;
  }

  /** Strings: Pebble unescapes only the quote and the backslash; `#{…}` interpolates in "…". */
  private string(q: string, limit: number): Token {
    const src = this.src;
    const start = this.i;
    let j = start + 1;
    let buf = '';
    const parts: (string | Token[])[] = [];
    for (;;) {
      if (j >= limit) throw new SyntaxFail(`unclosed string: expected ${q}`, start, this.tagStart);
      const c = src[j];
      if (c === '\\') {
        const n = src[j + 1];
        if (n === q || n === '\\') {
          buf += n;
          j += 2;
        } else {
          buf += c;
          j++;
        }
        continue;
      }
      if (c === q) {
        j++;
        break;
      }
      if (q === '"' && c === '#' && src[j + 1] === '{') {
        if (buf) parts.push(buf);
        buf = '';
        this.i = j + 2;
        const inner = this.expression(limit, null, true);
        inner.push({ t: 'eof', v: '', pos: this.i - 1, end: this.i });
        parts.push(inner);
        j = this.i;
        continue;
      }
      buf += c;
      j++;
    }
    this.i = j;
    if (parts.length === 0) return { t: 'str', v: buf, pos: start, end: j };
    if (buf) parts.push(buf);
    return { t: 'istr', v: '', pos: start, end: j, parts };
  }
}
