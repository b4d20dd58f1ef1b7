// The jq subset's lexer and parser: program text → Node tree (evaluated by jq.ts).
import { fail } from './errors';

export type Node =
  | { t: 'id' }
  | { t: 'recurse' }
  | { t: 'field'; of: Node; name: string; opt: boolean }
  | { t: 'index'; of: Node; index: Node; opt: boolean }
  | { t: 'slice'; of: Node; from: Node | null; to: Node | null; opt: boolean }
  | { t: 'iter'; of: Node; opt: boolean }
  | { t: 'lit'; v: unknown }
  | { t: 'str'; parts: (string | Node)[] }
  | { t: 'array'; e: Node | null }
  | { t: 'object'; entries: { key: Node | string; value: Node | null }[] }
  | { t: 'pipe'; l: Node; r: Node }
  | { t: 'comma'; l: Node; r: Node }
  | { t: 'bin'; op: string; l: Node; r: Node }
  | { t: 'neg'; e: Node }
  | { t: 'var'; name: string }
  | { t: 'as'; src: Node; name: string; body: Node }
  | { t: 'reduce'; src: Node; name: string; init: Node; update: Node }
  | { t: 'foreach'; src: Node; name: string; init: Node; update: Node; extract: Node | null }
  | { t: 'if'; cond: Node; then: Node; elifs: [Node, Node][]; else: Node | null }
  | { t: 'try'; body: Node; catch: Node | null }
  | { t: 'opt'; e: Node }
  | { t: 'call'; name: string; args: Node[] };

interface Tok { k: 'punct' | 'op' | 'ident' | 'var' | 'num' | 'str' | 'field' | 'eof'; v: string; n?: number; parts?: (string | Tok[])[] }

// ---------------------------------------------------------------------------------------------
// lexer

export function lex(src: string): Tok[] {
  const out: Tok[] = [];
  let i = 0;
  const ops = ['?//', '//', '==', '!=', '<=', '>=', '|=', '+=', '-=', '..', '|', ',', '+', '-', '*', '/', '%', '<', '>', '=', '?'];
  while (i < src.length) {
    const c = src[i];
    if (c === ' ' || c === '\t' || c === '\n' || c === '\r') {
      i++;
      continue;
    }
    if (c === '#') {
      while (i < src.length && src[i] !== '\n') i++;
      continue;
    }
    if (c === '"') {
      const { tok, end } = lexString(src, i);
      out.push(tok);
      i = end;
      continue;
    }
    if (c === '.' && /[A-Za-z_]/.test(src[i + 1] ?? '')) {
      let j = i + 1;
      while (j < src.length && /[A-Za-z0-9_]/.test(src[j])) j++;
      out.push({ k: 'field', v: src.slice(i + 1, j) });
      i = j;
      continue;
    }
    if (/[0-9]/.test(c) || (c === '.' && /[0-9]/.test(src[i + 1] ?? ''))) {
      const m = /^(\d+\.?\d*|\.\d+)([eE][+-]?\d+)?/.exec(src.slice(i))!;
      out.push({ k: 'num', v: m[0], n: Number(m[0]) });
      i += m[0].length;
      continue;
    }
    if (c === '$') {
      const m = /^\$([A-Za-z_][A-Za-z0-9_]*)/.exec(src.slice(i));
      if (!m) fail(`jq: invalid variable at ${i}`);
      out.push({ k: 'var', v: m![1] });
      i += m![0].length;
      continue;
    }
    if (/[A-Za-z_]/.test(c)) {
      let j = i + 1;
      while (j < src.length && /[A-Za-z0-9_]/.test(src[j])) j++;
      out.push({ k: 'ident', v: src.slice(i, j) });
      i = j;
      continue;
    }
    if ('()[]{}:;'.includes(c)) {
      out.push({ k: 'punct', v: c });
      i++;
      continue;
    }
    const op = ops.find((o) => src.startsWith(o, i));
    if (op) {
      out.push({ k: 'op', v: op });
      i += op.length;
      continue;
    }
    if (c === '.') {
      out.push({ k: 'op', v: '.' });
      i++;
      continue;
    }
    fail(`jq: unexpected character "${c}" at ${i}`);
  }
  out.push({ k: 'eof', v: '' });
  return out;
}

function lexString(src: string, start: number): { tok: Tok; end: number } {
  let i = start + 1;
  let buf = '';
  const parts: (string | Tok[])[] = [];
  for (;;) {
    if (i >= src.length) fail('jq: unterminated string');
    const c = src[i];
    if (c === '"') break;
    if (c === '\\') {
      const n = src[i + 1];
      if (n === '(') {
        // interpolation: find the matching parenthesis
        let depth = 1;
        let j = i + 2;
        while (j < src.length && depth > 0) {
          if (src[j] === '(') depth++;
          else if (src[j] === ')') depth--;
          else if (src[j] === '"') j = lexString(src, j).end - 1;
          j++;
        }
        if (buf) parts.push(buf);
        buf = '';
        parts.push(lex(src.slice(i + 2, j - 1)));
        i = j;
        continue;
      }
      const map: Record<string, string> = { n: '\n', t: '\t', r: '\r', b: '\b', f: '\f', '"': '"', '\\': '\\', '/': '/' };
      if (n === 'u') {
        buf += String.fromCharCode(parseInt(src.slice(i + 2, i + 6), 16));
        i += 6;
        continue;
      }
      if (map[n] === undefined) fail(`jq: invalid escape \\${n}`);
      buf += map[n];
      i += 2;
      continue;
    }
    buf += c;
    i++;
  }
  if (parts.length === 0) return { tok: { k: 'str', v: buf }, end: i + 1 };
  if (buf) parts.push(buf);
  return { tok: { k: 'str', v: '', parts }, end: i + 1 };
}

// ---------------------------------------------------------------------------------------------
// parser

export class P {
  private i = 0;
  constructor(private readonly toks: Tok[]) {}
  private get cur(): Tok {
    return this.toks[this.i];
  }
  private next(): Tok {
    return this.toks[this.i++];
  }
  private is(k: Tok['k'], v?: string): boolean {
    return this.cur.k === k && (v === undefined || this.cur.v === v);
  }
  private expect(k: Tok['k'], v: string): void {
    if (!this.is(k, v)) fail(`jq: expected "${v}" but found "${this.cur.v || this.cur.k}"`);
    this.i++;
  }

  program(): Node {
    const n = this.pipe();
    if (!this.is('eof')) fail(`jq: unexpected "${this.cur.v}"`);
    return n;
  }

  pipe(): Node {
    const l = this.comma();
    if (this.is('ident', 'as')) {
      this.next();
      const v = this.next();
      if (v.k !== 'var') fail('jq: expected a $variable after "as"');
      this.expect('op', '|');
      return { t: 'as', src: l, name: v.v, body: this.pipe() };
    }
    if (this.is('op', '|')) {
      this.next();
      return { t: 'pipe', l, r: this.pipe() };
    }
    return l;
  }

  comma(): Node {
    let l = this.alt();
    while (this.is('op', ',')) {
      this.next();
      l = { t: 'comma', l, r: this.alt() };
    }
    return l;
  }

  alt(): Node {
    const l = this.or();
    if (this.is('op', '//')) {
      this.next();
      return { t: 'bin', op: '//', l, r: this.alt() };
    }
    return l;
  }

  or(): Node {
    let l = this.and();
    while (this.is('ident', 'or')) {
      this.next();
      l = { t: 'bin', op: 'or', l, r: this.and() };
    }
    return l;
  }

  and(): Node {
    let l = this.cmp();
    while (this.is('ident', 'and')) {
      this.next();
      l = { t: 'bin', op: 'and', l, r: this.cmp() };
    }
    return l;
  }

  cmp(): Node {
    const l = this.add();
    if (this.cur.k === 'op' && ['==', '!=', '<', '<=', '>', '>='].includes(this.cur.v)) {
      const op = this.next().v;
      return { t: 'bin', op, l, r: this.add() };
    }
    return l;
  }

  add(): Node {
    let l = this.mul();
    while (this.is('op', '+') || this.is('op', '-')) {
      const op = this.next().v;
      l = { t: 'bin', op, l, r: this.mul() };
    }
    return l;
  }

  mul(): Node {
    let l = this.unary();
    while (this.is('op', '*') || this.is('op', '/') || this.is('op', '%')) {
      const op = this.next().v;
      l = { t: 'bin', op, l, r: this.unary() };
    }
    return l;
  }

  unary(): Node {
    if (this.is('op', '-')) {
      this.next();
      return { t: 'neg', e: this.postfix(this.term()) };
    }
    return this.postfix(this.term());
  }

  term(): Node {
    const t = this.cur;
    switch (t.k) {
      case 'num': this.next(); return { t: 'lit', v: t.n };
      case 'str': this.next(); return this.strNode(t);
      case 'var': this.next(); return { t: 'var', name: t.v };
      case 'field': this.next(); return { t: 'field', of: { t: 'id' }, name: t.v, opt: false };
      case 'op':
        if (t.v === '.') {
          this.next();
          if (this.is('str')) {
            const s = this.next();
            return { t: 'field', of: { t: 'id' }, name: s.v, opt: false };
          }
          if (this.is('punct', '[')) return this.bracket({ t: 'id' });
          return { t: 'id' };
        }
        if (t.v === '..') {
          this.next();
          return { t: 'recurse' };
        }
        break;
      case 'punct':
        if (t.v === '(') {
          this.next();
          const e = this.pipe();
          this.expect('punct', ')');
          return e;
        }
        if (t.v === '[') {
          this.next();
          if (this.is('punct', ']')) {
            this.next();
            return { t: 'array', e: null };
          }
          const e = this.pipe();
          this.expect('punct', ']');
          return { t: 'array', e };
        }
        if (t.v === '{') return this.object();
        break;
      case 'ident':
        return this.identTerm();
      default:
        break;
    }
    return fail(`jq: unexpected "${t.v || t.k}"`);
  }

  strNode(t: Tok): Node {
    if (!t.parts) return { t: 'lit', v: t.v };
    return { t: 'str', parts: t.parts.map((p) => (typeof p === 'string' ? p : new P(p).program())) };
  }

  identTerm(): Node {
    const name = this.next().v;
    switch (name) {
      case 'true': return { t: 'lit', v: true };
      case 'false': return { t: 'lit', v: false };
      case 'null': return { t: 'lit', v: null };
      case 'if': {
        const cond = this.pipe();
        this.expect('ident', 'then');
        const then = this.pipe();
        const elifs: [Node, Node][] = [];
        let els: Node | null = null;
        while (this.is('ident', 'elif')) {
          this.next();
          const c = this.pipe();
          this.expect('ident', 'then');
          elifs.push([c, this.pipe()]);
        }
        if (this.is('ident', 'else')) {
          this.next();
          els = this.pipe();
        }
        this.expect('ident', 'end');
        return { t: 'if', cond, then, elifs, else: els };
      }
      case 'reduce': case 'foreach': {
        const src = this.postfix(this.term());
        this.expect('ident', 'as');
        const v = this.next();
        if (v.k !== 'var') fail(`jq: expected a $variable in ${name}`);
        this.expect('punct', '(');
        const init = this.pipe();
        this.expect('punct', ';');
        const update = this.pipe();
        let extract: Node | null = null;
        if (name === 'foreach' && this.is('punct', ';')) {
          this.next();
          extract = this.pipe();
        }
        this.expect('punct', ')');
        return name === 'reduce'
          ? { t: 'reduce', src, name: v.v, init, update }
          : { t: 'foreach', src, name: v.v, init, update, extract };
      }
      case 'try': {
        const body = this.postfix(this.term());
        let c: Node | null = null;
        if (this.is('ident', 'catch')) {
          this.next();
          c = this.postfix(this.term());
        }
        return { t: 'try', body, catch: c };
      }
      case 'not': return { t: 'call', name: 'not', args: [] };
      default: {
        const args: Node[] = [];
        if (this.is('punct', '(')) {
          this.next();
          for (;;) {
            args.push(this.pipe());
            if (this.is('punct', ';')) {
              this.next();
              continue;
            }
            break;
          }
          this.expect('punct', ')');
        }
        return { t: 'call', name, args };
      }
    }
  }

  object(): Node {
    this.expect('punct', '{');
    const entries: { key: Node | string; value: Node | null }[] = [];
    while (!this.is('punct', '}')) {
      if (entries.length > 0) this.expect('op', ',');
      const t = this.cur;
      let key: Node | string;
      if (t.k === 'ident') {
        this.next();
        key = t.v;
      } else if (t.k === 'var') {
        this.next();
        entries.push({ key: t.v, value: { t: 'var', name: t.v } });
        continue;
      } else if (t.k === 'str') {
        this.next();
        key = t.parts ? this.strNode(t) : t.v;
      } else if (t.k === 'num') {
        this.next();
        key = t.v;
      } else if (this.is('punct', '(')) {
        this.next();
        key = this.pipe();
        this.expect('punct', ')');
      } else {
        return fail(`jq: unexpected "${t.v}" in object construction`);
      }
      if (this.is('punct', ':')) {
        this.next();
        entries.push({ key, value: this.objValue() });
      } else {
        entries.push({ key, value: null });
      }
    }
    this.expect('punct', '}');
    return { t: 'object', entries };
  }

  /** An object value: a term with postfix, pipes of such, or alternatives (no bare commas). */
  objValue(): Node {
    let l = this.alt();
    while (this.is('op', '|')) {
      this.next();
      l = { t: 'pipe', l, r: this.alt() };
    }
    return l;
  }

  bracket(of: Node): Node {
    this.expect('punct', '[');
    if (this.is('punct', ']')) {
      this.next();
      return this.optional({ t: 'iter', of, opt: false });
    }
    if (this.is('punct', ':')) {
      this.next();
      const to = this.pipe();
      this.expect('punct', ']');
      return this.optional({ t: 'slice', of, from: null, to, opt: false });
    }
    const index = this.pipe();
    if (this.is('punct', ':')) {
      this.next();
      const to = this.is('punct', ']') ? null : this.pipe();
      this.expect('punct', ']');
      return this.optional({ t: 'slice', of, from: index, to, opt: false });
    }
    this.expect('punct', ']');
    return this.optional({ t: 'index', of, index, opt: false });
  }

  optional(n: Node): Node {
    if (this.is('op', '?')) {
      this.next();
      (n as { opt: boolean }).opt = true;
    }
    return n;
  }

  postfix(n: Node): Node {
    for (;;) {
      if (this.is('field')) {
        n = this.optional({ t: 'field', of: n, name: this.next().v, opt: false });
      } else if (this.is('op', '.') && this.toks[this.i + 1]?.k === 'str') {
        this.next();
        n = this.optional({ t: 'field', of: n, name: this.next().v, opt: false });
      } else if (this.is('op', '.') && this.toks[this.i + 1]?.k === 'punct' && this.toks[this.i + 1].v === '[') {
        this.next();
        n = this.bracket(n);
      } else if (this.is('punct', '[')) {
        n = this.bracket(n);
      } else if (this.is('op', '?')) {
        this.next();
        n = { t: 'opt', e: n };
      } else {
        return n;
      }
    }
  }
}

