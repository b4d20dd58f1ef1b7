// Parser: tokens → AST. Expressions use Pebble's precedence climbing with Pebble's (and Kestra's)
// operator precedences, so `a ?? b | f` and `-7 | abs` group exactly as they do in Kestra.
import type { Arg, Expr, Stmt, TagRange, TemplateAst } from './ast';
import { SyntaxFail } from './errors';
import type { Token } from './lexer';

interface BinOp { prec: number; kind: 'normal' | 'filter' | 'test' }

const BINARY: Record<string, BinOp> = {
  'or': { prec: 10, kind: 'normal' },
  'and': { prec: 15, kind: 'normal' },
  'is': { prec: 20, kind: 'test' },
  'is not': { prec: 20, kind: 'test' },
  'contains': { prec: 20, kind: 'normal' },
  'in': { prec: 20, kind: 'normal' },
  'not in': { prec: 20, kind: 'normal' },
  'isIn': { prec: 20, kind: 'normal' },
  '==': { prec: 30, kind: 'normal' },
  'equals': { prec: 30, kind: 'normal' },
  '!=': { prec: 30, kind: 'normal' },
  '<': { prec: 30, kind: 'normal' },
  '>': { prec: 30, kind: 'normal' },
  '<=': { prec: 30, kind: 'normal' },
  '>=': { prec: 30, kind: 'normal' },
  '+': { prec: 40, kind: 'normal' },
  '-': { prec: 40, kind: 'normal' },
  '*': { prec: 60, kind: 'normal' },
  '/': { prec: 60, kind: 'normal' },
  '%': { prec: 60, kind: 'normal' },
  '|': { prec: 100, kind: 'filter' },
  '~': { prec: 110, kind: 'normal' },
  '..': { prec: 120, kind: 'normal' },
  '??': { prec: 120, kind: 'normal' },
  '???': { prec: 120, kind: 'normal' },
};

const UNARY: Record<string, number> = { 'not': 500, '+': 500, '-': 500 };

function describe(t: Token): string {
  switch (t.t) {
    case 'eof': return 'end of template';
    case 'print_end': return '"}}"';
    case 'exec_end': return '"%}"';
    case 'str': case 'istr': return 'a string';
    default: return `"${t.v}"`;
  }
}

export class Parser {
  private p = 0;
  private tagStart = -1;
  private readonly tags: TagRange[] = [];

  constructor(private toks: Token[]) {}

  // -------------------------------------------------------------------------------------------
  // token stream

  private get cur(): Token {
    return this.toks[this.p];
  }
  private peek(n = 1): Token {
    return this.toks[Math.min(this.p + n, this.toks.length - 1)];
  }
  private next(): Token {
    const t = this.toks[this.p];
    if (this.p < this.toks.length - 1) this.p++;
    return t;
  }
  private prevEnd(): number {
    return this.p > 0 ? this.toks[this.p - 1].end : 0;
  }
  private err(reason: string, t: Token = this.cur): never {
    throw new SyntaxFail(reason, t.pos, this.tagStart);
  }
  private isPunc(v: string, t: Token = this.cur): boolean {
    return t.t === 'punc' && t.v === v;
  }
  private expectPunc(v: string): Token {
    if (!this.isPunc(v)) this.err(`expected "${v}" but found ${describe(this.cur)}`);
    return this.next();
  }
  private expectName(what: string): Token {
    const t = this.cur;
    if (t.t === 'name' || (t.t === 'op' && /^[A-Za-z]+$/.test(t.v))) return this.next();
    return this.err(`expected ${what} but found ${describe(t)}`);
  }

  // -------------------------------------------------------------------------------------------
  // templates

  parseTemplate(): TemplateAst {
    const body = this.parseBody([]);
    return { body, tags: this.tags };
  }

  /** Parses a lone expression (for `evaluate`). */
  parseLoneExpression(): Expr {
    this.tagStart = 0;
    const e = this.parseExpression(0);
    if (this.cur.t !== 'eof') this.err(`unexpected ${describe(this.cur)}`);
    return e;
  }

  private parseBody(stops: string[]): Stmt[] {
    const out: Stmt[] = [];
    for (;;) {
      const t = this.cur;
      if (t.t === 'eof') {
        if (stops.length > 0) {
          throw new SyntaxFail(`unclosed block: expected {% ${stops[stops.length - 1]} %}`, this.tagStart >= 0 ? this.tagStart : t.pos, this.tagStart);
        }
        return out;
      }
      if (t.t === 'text') {
        this.next();
        out.push({ k: 'text', v: t.v });
        continue;
      }
      if (t.t === 'print_start') {
        this.tagStart = t.pos;
        this.next();
        if (this.cur.t === 'print_end') this.err('empty expression');
        const e = this.parseExpression(0);
        const close: Token = this.cur;
        if (close.t !== 'print_end') this.err(`expected "}}" but found ${describe(close)}`);
        const end = this.next().end;
        const tag = { start: t.pos, end };
        this.tags.push(tag);
        out.push({ k: 'print', e, tag });
        continue;
      }
      if (t.t === 'exec_start') {
        const nameTok = this.peek();
        const name = nameTok.t === 'name' || nameTok.t === 'op' ? nameTok.v : '';
        if (stops.includes(name)) return out;
        this.tagStart = t.pos;
        this.next();
        out.push(this.parseTag(t.pos));
        continue;
      }
      this.err(`unexpected ${describe(t)}`);
    }
  }

  private endTag(start: number): TagRange {
    if (this.cur.t !== 'exec_end') this.err(`expected "%}" but found ${describe(this.cur)}`);
    const tag = { start, end: this.next().end };
    this.tags.push(tag);
    return tag;
  }

  /** Consumes `{% name … %}` of a closing/intermediate tag; returns the tag name. */
  private openTag(): string {
    const start = this.cur;
    this.tagStart = start.pos;
    this.next();
    return this.expectName('a tag name').v;
  }

  private parseTag(start: number): Stmt {
    const nameTok = this.cur;
    if (nameTok.t !== 'name' && nameTok.t !== 'op') this.err(`expected a tag name but found ${describe(nameTok)}`);
    const name = this.next().v;
    switch (name) {
      case 'if': {
        const branches: { cond: Expr; body: Stmt[] }[] = [];
        let cond = this.parseExpression(0);
        const tag = this.endTag(start);
        let elseBody: Stmt[] | undefined;
        for (;;) {
          const body = this.parseBody(['elseif', 'elif', 'else', 'endif']);
          branches.push({ cond, body });
          const tagPos = this.cur.pos;
          const which = this.openTag();
          if (which === 'elseif' || which === 'elif') {
            cond = this.parseExpression(0);
            this.endTag(tagPos);
            continue;
          }
          if (which === 'else') {
            this.endTag(tagPos);
            elseBody = this.parseBody(['endif']);
            const endPos = this.cur.pos;
            this.openTag();
            this.endTag(endPos);
          } else {
            this.endTag(tagPos);
          }
          break;
        }
        return { k: 'if', branches, else: elseBody, tag };
      }
      case 'for': {
        let valVar = this.expectName('a loop variable').v;
        let keyVar: string | undefined;
        if (this.isPunc(',')) {
          this.next();
          keyVar = valVar;
          valVar = this.expectName('a loop variable').v;
        }
        const inTok = this.cur;
        if (!((inTok.t === 'op' || inTok.t === 'name') && inTok.v === 'in')) this.err(`expected "in" but found ${describe(inTok)}`);
        this.next();
        const iter = this.parseExpression(0);
        const tag = this.endTag(start);
        const body = this.parseBody(['else', 'endfor']);
        let elseBody: Stmt[] | undefined;
        const tagPos = this.cur.pos;
        const which = this.openTag();
        this.endTag(tagPos);
        if (which === 'else') {
          elseBody = this.parseBody(['endfor']);
          const endPos = this.cur.pos;
          this.openTag();
          this.endTag(endPos);
        }
        return { k: 'for', keyVar, valVar, iter, body, else: elseBody, tag };
      }
      case 'set': {
        const n = this.expectName('a variable name');
        if (['true', 'false', 'null', 'none'].includes(n.v)) this.err(`cannot assign a value to ${n.v}`, n);
        this.expectPunc('=');
        const e = this.parseExpression(0);
        const tag = this.endTag(start);
        return { k: 'set', name: n.v, e, tag };
      }
      case 'filter': {
        const filters: { name: string; args: Arg[]; pos: number }[] = [];
        for (;;) {
          const f = this.expectName('a filter name');
          const args = this.isPunc('(') ? this.parseArguments() : [];
          filters.push({ name: f.v, args, pos: f.pos });
          if (this.cur.t === 'op' && this.cur.v === '|') {
            this.next();
            continue;
          }
          break;
        }
        const tag = this.endTag(start);
        const body = this.parseBody(['endfilter']);
        const endPos = this.cur.pos;
        this.openTag();
        this.endTag(endPos);
        return { k: 'filterblock', filters, body, tag };
      }
      case 'elseif': case 'elif': case 'else': case 'endif': case 'endfor': case 'endfilter':
        return this.err(`unexpected {% ${name} %}`, nameTok);
      default:
        return this.err(`unknown or unsupported tag "${name}"`, nameTok);
    }
  }

  // -------------------------------------------------------------------------------------------
  // expressions

  parseExpression(minPrec: number): Expr {
    const t = this.cur;
    let expr: Expr;
    if (t.t === 'op' && UNARY[t.v] !== undefined) {
      this.next();
      const e = this.parseExpression(UNARY[t.v]);
      expr = { k: 'unary', op: t.v, e, pos: t.pos, end: e.end };
    } else if (this.isPunc('(')) {
      this.next();
      const e = this.parseExpression(0);
      this.expectPunc(')');
      expr = this.parsePostfix({ ...e, pos: t.pos, end: this.prevEnd() } as Expr);
    } else if (this.isPunc('[')) {
      expr = this.parsePostfix(this.parseList());
    } else if (this.isPunc('{')) {
      expr = this.parsePostfix(this.parseMap());
    } else {
      expr = this.parsePrimary();
    }

    for (;;) {
      const opTok = this.cur;
      if (opTok.t !== 'op') break;
      const op = BINARY[opTok.v];
      if (!op || op.prec < minPrec) break;
      this.next();
      if (op.kind === 'filter') {
        const name = this.expectName('a filter name');
        const args = this.isPunc('(') ? this.parseArguments() : [];
        expr = { k: 'filter', input: expr, name: name.v, args, pos: expr.pos, end: this.prevEnd(), namePos: name.pos };
      } else if (op.kind === 'test') {
        const name = this.expectName('a test name');
        const args = this.isPunc('(') ? this.parseArguments() : [];
        expr = { k: 'test', input: expr, name: name.v, args, negate: opTok.v === 'is not', pos: expr.pos, end: this.prevEnd() };
      } else {
        const right = this.parseExpression(op.prec + 1);
        expr = { k: 'bin', op: opTok.v, l: expr, r: right, pos: expr.pos, end: right.end, opPos: opTok.pos };
      }
    }

    if (minPrec === 0 && this.isPunc('?')) {
      this.next();
      const a = this.parseExpression(0);
      this.expectPunc(':');
      const b = this.parseExpression(0);
      expr = { k: 'tern', c: expr, a, b, pos: expr.pos, end: b.end };
    }
    return expr;
  }

  private parsePrimary(): Expr {
    const t = this.cur;
    let node: Expr;
    switch (t.t) {
      case 'name': {
        this.next();
        switch (t.v) {
          case 'true': case 'TRUE': node = { k: 'lit', v: true, pos: t.pos, end: t.end }; break;
          case 'false': case 'FALSE': node = { k: 'lit', v: false, pos: t.pos, end: t.end }; break;
          case 'null': case 'NULL': case 'none': case 'NONE': node = { k: 'lit', v: null, pos: t.pos, end: t.end }; break;
          default:
            if (this.isPunc('(')) {
              const args = this.parseArguments();
              node = { k: 'call', name: t.v, args, pos: t.pos, end: this.prevEnd() };
            } else {
              node = { k: 'var', name: t.v, pos: t.pos, end: t.end };
            }
        }
        break;
      }
      case 'num':
        this.next();
        node = { k: 'lit', v: t.num, pos: t.pos, end: t.end, float: t.float };
        break;
      case 'str':
        this.next();
        node = { k: 'lit', v: t.v, pos: t.pos, end: t.end };
        break;
      case 'istr': {
        this.next();
        node = this.interpolation(t);
        break;
      }
      default:
        return this.err(`unexpected ${describe(t)}`);
    }
    return this.parsePostfix(node);
  }

  private interpolation(t: Token): Expr {
    const parts: Expr[] = [];
    for (const part of t.parts ?? []) {
      if (typeof part === 'string') {
        parts.push({ k: 'lit', v: part, pos: t.pos, end: t.end });
      } else {
        const sub = new Parser(part);
        sub.tagStart = this.tagStart;
        parts.push(sub.parseLoneExpression());
      }
    }
    // A leading literal keeps the result a string even when the first interpolation is a number.
    let e: Expr = parts[0].k === 'lit' ? parts[0] : { k: 'lit', v: '', pos: t.pos, end: t.pos };
    for (let i = parts[0].k === 'lit' ? 1 : 0; i < parts.length; i++) {
      e = { k: 'bin', op: '~', l: e, r: parts[i], pos: t.pos, end: t.end, opPos: t.pos };
    }
    return e;
  }

  private parsePostfix(node: Expr): Expr {
    for (;;) {
      if (this.isPunc('.')) {
        this.next();
        const name = this.expectName('an attribute name');
        const key: Expr = { k: 'lit', v: name.v, pos: name.pos, end: name.end };
        if (this.isPunc('(')) {
          const args = this.parseArguments();
          if (args.some((a) => a.name !== undefined)) this.err('named arguments are not allowed when calling a method');
          node = { k: 'attr', obj: node, key, dot: true, args: args.map((a) => a.value), pos: node.pos, end: this.prevEnd() };
        } else {
          node = { k: 'attr', obj: node, key, dot: true, pos: node.pos, end: name.end };
        }
      } else if (this.isPunc('[')) {
        this.next();
        const key = this.parseExpression(0);
        this.expectPunc(']');
        node = { k: 'attr', obj: node, key, dot: false, pos: node.pos, end: this.prevEnd() };
      } else {
        return node;
      }
    }
  }

  private parseArguments(): Arg[] {
    this.expectPunc('(');
    const args: Arg[] = [];
    let named = false;
    while (!this.isPunc(')')) {
      if (args.length > 0) this.expectPunc(',');
      const t = this.cur;
      if ((t.t === 'name' || t.t === 'op') && this.isPunc('=', this.peek())) {
        this.next();
        this.next();
        named = true;
        args.push({ name: t.v, value: this.parseExpression(0), pos: t.pos });
      } else {
        if (named) this.err('positional arguments must be declared before any named arguments');
        args.push({ value: this.parseExpression(0), pos: t.pos });
      }
    }
    this.expectPunc(')');
    return args;
  }

  private parseList(): Expr {
    const start = this.expectPunc('[');
    const items: Expr[] = [];
    while (!this.isPunc(']')) {
      if (items.length > 0) this.expectPunc(',');
      if (this.isPunc(']')) break;
      items.push(this.parseExpression(0));
    }
    this.expectPunc(']');
    return { k: 'list', items, pos: start.pos, end: this.prevEnd() };
  }

  private parseMap(): Expr {
    const start = this.expectPunc('{');
    const entries: [Expr, Expr][] = [];
    while (!this.isPunc('}')) {
      if (entries.length > 0) this.expectPunc(',');
      if (this.isPunc('}')) break;
      const k = this.parseExpression(0);
      this.expectPunc(':');
      const v = this.parseExpression(0);
      entries.push([k, v]);
    }
    this.expectPunc('}');
    return { k: 'map', entries, pos: start.pos, end: this.prevEnd() };
  }
}
