// AST → JS closures. Each template is compiled once into a tree of small closures; rendering is
// plain function calls over the variables (no parsing, no regular expressions). Failures are light
// `Fail` signals carrying a source offset, turned into an ExpressionError at the template boundary.
import type { Arg, Expr, Stmt, TagRange } from './ast';
import { attrLookup, attrSlow, callMethod, UNDEF } from './access';
import { TemplateCache } from './cache';
import { annotate, ExpressionError, Fail, renderError, soft, SyntaxFail, syntaxError } from './errors';
import { FILTERS } from './filters';
import { FUNCTIONS } from './functions';
import { Lexer } from './lexer';
import { arith, concat, containsOp, inOp, rangeOp } from './operators';
import { Parser } from './parser';
import { EMPTY_ENV, hooks, Scope, type Ctx, type Ev, type ExprEnv, type Vars } from './runtime';
import { TESTS } from './tests';
import {
  compare, equals, hasOwn, isEmptyValue, isMap, javaString, mapEntries, toBool, toOutput,
  typeName, type Dict,
} from './values';

type Body = (c: Ctx) => string;
const EMPTY_ARGS: readonly unknown[] = Object.freeze([]);

interface CInfo { src: string }

// ---------------------------------------------------------------------------------------------
// failure helpers

function isFloatLit(e: Expr): boolean {
  return (e.k === 'lit' && e.float === true) || (e.k === 'unary' && isFloatLit(e.e));
}

function setKey(o: Dict, k: string, v: unknown): void {
  if (k === '__proto__') Object.defineProperty(o, k, { value: v, enumerable: true, writable: true, configurable: true });
  else o[k] = v;
}

// ---------------------------------------------------------------------------------------------
// expressions

function mapArgs(args: Arg[], names: string[] | undefined, variadic: boolean, what: string, ci: CInfo): { evs: (Ev | undefined)[]; error?: string } {
  const evs: (Ev | undefined)[] = [];
  for (let i = 0; i < args.length; i++) {
    const a = args[i];
    const ev = compileExpr(a.value, ci);
    if (a.name === undefined) {
      if (names && !variadic && i >= names.length) return { evs, error: `${what} takes at most ${names.length} argument${names.length === 1 ? '' : 's'}` };
      if (!names && !variadic) continue; // Pebble ignores positional arguments of an argument-less filter
      evs[i] = ev;
    } else {
      const k = names ? names.indexOf(a.name) : -1;
      if (k < 0) return { evs, error: `${what} has no argument named "${a.name}"${names && names.length ? ` (expected ${names.join(', ')})` : ''}` };
      evs[k] = ev;
    }
  }
  return { evs };
}

function evalArgs(evs: (Ev | undefined)[], c: Ctx): unknown[] {
  if (evs.length === 0) return EMPTY_ARGS as unknown[];
  const out = new Array<unknown>(evs.length);
  for (let i = 0; i < evs.length; i++) {
    const ev = evs[i];
    out[i] = ev === undefined ? undefined : ev(c);
  }
  return out;
}

function thrower(reason: string, pos: number): Ev {
  return () => {
    throw new Fail(reason, pos);
  };
}

function compileVar(name: string, pos: number): Ev {
  return (c) => {
    for (let s = c.scope; s !== null; s = s.parent) {
      const v = s.vars.get(name);
      if (v !== undefined || s.vars.has(name)) return v === undefined ? null : v;
    }
    const r = c.root;
    const v = r[name];
    if (v !== undefined && hasOwn(r, name)) return v;
    return soft(`"${name}" is not defined`, pos);
  };
}

function compileAttr(e: Extract<Expr, { k: 'attr' }>, ci: CInfo): Ev {
  const objEv = compileExpr(e.obj, ci);
  const objSrc = ci.src.slice(e.obj.pos, e.obj.end);
  const pos = e.pos;
  if (e.args) {
    const name = String((e.key as { v: unknown }).v);
    const argEvs = e.args.map((a) => compileExpr(a, ci));
    return (c) => {
      const o = objEv(c);
      return callMethod(o, name, argEvs.map((a) => a(c)), pos, objSrc);
    };
  }
  if (e.key.k === 'lit' && typeof e.key.v === 'string') {
    const key = e.key.v;
    return (c) => {
      const o = objEv(c);
      if (o !== null && typeof o === 'object' && !Array.isArray(o)) {
        const v = (o as Dict)[key];
        if (v !== undefined && hasOwn(o, key)) return v;
      }
      return attrSlow(o, key, pos, objSrc);
    };
  }
  if (e.key.k === 'lit' && typeof e.key.v === 'number') {
    const idx = e.key.v;
    return (c) => {
      const o = objEv(c);
      if (Array.isArray(o) && idx >= 0 && idx < o.length) {
        const v = o[idx];
        return v === undefined ? null : v;
      }
      return attrSlow(o, idx, pos, objSrc);
    };
  }
  const keyEv = compileExpr(e.key, ci);
  return (c) => attrSlow(objEv(c), keyEv(c), pos, objSrc);
}


/**
 * Like compileExpr, but a missing variable, attribute or index yields UNDEF instead of throwing
 * (throwing costs about a microsecond; `x ?? 'default'` on a missing x is a common hot path).
 */
function compileSoft(e: Expr, ci: CInfo): Ev {
  if (e.k === 'var') {
    const name = e.name;
    return (c) => {
      for (let s = c.scope; s !== null; s = s.parent) {
        const v = s.vars.get(name);
        if (v !== undefined || s.vars.has(name)) return v === undefined ? null : v;
      }
      const r = c.root;
      const v = r[name];
      if (v !== undefined && hasOwn(r, name)) return v;
      return UNDEF;
    };
  }
  if (e.k === 'attr' && !e.args) {
    const objEv = compileSoft(e.obj, ci);
    if (e.key.k === 'lit') {
      const key = e.key.v;
      return (c) => {
        const o = objEv(c);
        if (o === UNDEF) return UNDEF;
        if (typeof key === 'string' && o !== null && typeof o === 'object' && !Array.isArray(o)) {
          const v = (o as Dict)[key];
          if (v !== undefined && hasOwn(o, key)) return v;
        }
        return attrLookup(o, key);
      };
    }
    const keyEv = compileExpr(e.key, ci);
    return (c) => {
      const o = objEv(c);
      if (o === UNDEF) return UNDEF;
      return attrLookup(o, keyEv(c));
    };
  }
  return compileExpr(e, ci);
}

/** Evaluates softly: UNDEF when the value (or something it reads) is undefined. */
function softEval(ev: Ev, c: Ctx): unknown {
  try {
    return ev(c);
  } catch (err) {
    if (err instanceof Fail && err.soft) return UNDEF;
    throw err;
  }
}

function compileFilter(e: Extract<Expr, { k: 'filter' }>, ci: CInfo): Ev {
  const input = compileExpr(e.input, ci);
  const pos = e.namePos;
  const name = e.name;
  if (name === 'default') {
    const dflt = e.args.length > 0 ? compileExpr(e.args[0].value, ci) : () => null;
    const softInput = compileSoft(e.input, ci);
    return (c) => {
      const v = softEval(softInput, c);
      return v === UNDEF || isEmptyValue(v) ? dflt(c) : v;
    };
  }
  const def = FILTERS[name];
  if (!def) return thrower(`unknown filter "${name}"`, pos);
  const { evs, error } = mapArgs(e.args, def.args, false, `filter "${name}"`, ci);
  if (error) return thrower(error, pos);
  const nullOut = def.nullIn === 'null';
  const fn = def.fn;
  const prefix = `filter "${name}"`;
  return (c) => {
    const v = input(c);
    if (nullOut && (v === null || v === undefined)) return null;
    const args = evalArgs(evs, c);
    try {
      return fn(v, args, c);
    } catch (err) {
      throw annotate(err, pos, prefix);
    }
  };
}

function compileCall(e: Extract<Expr, { k: 'call' }>, ci: CInfo): Ev {
  const def = FUNCTIONS[e.name];
  const pos = e.pos;
  if (!def) return thrower(`unknown function "${e.name}"`, pos);
  const { evs, error } = mapArgs(e.args, def.args, def.variadic === true, `function "${e.name}"`, ci);
  if (error) return thrower(error, pos);
  const fn = def.fn;
  const prefix = `function "${e.name}"`;
  return (c) => {
    const args = evalArgs(evs, c);
    try {
      return fn(args, c);
    } catch (err) {
      throw annotate(err, pos, prefix);
    }
  };
}

function compileTest(e: Extract<Expr, { k: 'test' }>, ci: CInfo): Ev {
  const input = compileExpr(e.input, ci);
  const neg = e.negate;
  const pos = e.pos;
  if (e.name === 'defined') {
    const softInput = compileSoft(e.input, ci);
    return (c) => {
      const v = softEval(softInput, c);
      return (v !== UNDEF && v !== null && v !== undefined) !== neg;
    };
  }
  const def = TESTS[e.name];
  if (!def) return thrower(`unknown test "${e.name}"`, pos);
  const { evs, error } = mapArgs(e.args, def.args, false, `test "${e.name}"`, ci);
  if (error) return thrower(error, pos);
  const prefix = `test "${e.name}"`;
  return (c) => {
    const v = input(c);
    const args = evalArgs(evs, c);
    try {
      return def.fn(v, args, c) !== neg;
    } catch (err) {
      throw annotate(err, pos, prefix);
    }
  };
}

function compileBinary(e: Extract<Expr, { k: 'bin' }>, ci: CInfo): Ev {
  const l = compileExpr(e.l, ci);
  const r = compileExpr(e.r, ci);
  const pos = e.opPos;
  const op = e.op;
  const guard = (f: () => unknown): unknown => {
    try {
      return f();
    } catch (err) {
      throw annotate(err, pos);
    }
  };
  switch (op) {
    case '+':
      return (c) => {
        const a = l(c);
        const b = r(c);
        if (typeof a === 'number' && typeof b === 'number') return a + b;
        return guard(() => arith('+', a, b, true));
      };
    case '-': case '*': case '%':
      return (c) => {
        const a = l(c);
        const b = r(c);
        if (typeof a === 'number' && typeof b === 'number' && op !== '%') {
          const v = op === '-' ? a - b : a * b;
          return v === 0 ? 0 : v; // no -0: Java longs have none
        }
        return guard(() => arith(op, a, b, true));
      };
    case '/': {
      const intDiv = !isFloatLit(e.l) && !isFloatLit(e.r);
      return (c) => {
        const a = l(c);
        const b = r(c);
        return guard(() => arith('/', a, b, intDiv));
      };
    }
    case '~':
      return (c) => concat(l(c), r(c));
    case '==': case 'equals':
      return (c) => equals(l(c), r(c));
    case '!=':
      return (c) => !equals(l(c), r(c));
    case '<': case '<=': case '>': case '>=': {
      const test = op === '<' ? (k: number) => k < 0 : op === '<=' ? (k: number) => k <= 0 : op === '>' ? (k: number) => k > 0 : (k: number) => k >= 0;
      return (c) => {
        const a = l(c);
        const b = r(c);
        if (typeof a === 'number' && typeof b === 'number') return test(a < b ? -1 : a > b ? 1 : 0);
        const k = guard(() => compare(a, b, op)) as number | null;
        return k !== null && test(k);
      };
    }
    case 'and':
      return (c) => guard(() => toBool(l(c), '"and"')) === true && guard(() => toBool(r(c), '"and"')) === true;
    case 'or':
      return (c) => guard(() => toBool(l(c), '"or"')) === true || guard(() => toBool(r(c), '"or"')) === true;
    case 'contains':
      return (c) => containsOp(l(c), r(c));
    case 'in': case 'isIn':
      return (c) => inOp(l(c), r(c));
    case 'not in':
      return (c) => !inOp(l(c), r(c));
    case '..':
      return (c) => {
        const a = l(c);
        const b = r(c);
        return guard(() => rangeOp(a, b));
      };
    case '??': {
      const ls = compileSoft(e.l, ci);
      return (c) => {
        const v = softEval(ls, c);
        return v === UNDEF || v === null || v === undefined ? r(c) : v;
      };
    }
    case '???': {
      const ls = compileSoft(e.l, ci);
      return (c) => {
        const v = softEval(ls, c);
        return v === UNDEF ? r(c) : v;
      };
    }
    default:
      return thrower(`unsupported operator "${op}"`, pos);
  }
}

export function compileExpr(e: Expr, ci: CInfo): Ev {
  switch (e.k) {
    case 'lit': {
      const v = e.v;
      return () => v;
    }
    case 'var': return compileVar(e.name, e.pos);
    case 'attr': return compileAttr(e, ci);
    case 'filter': return compileFilter(e, ci);
    case 'call': return compileCall(e, ci);
    case 'test': return compileTest(e, ci);
    case 'bin': return compileBinary(e, ci);
    case 'unary': {
      const inner = compileExpr(e.e, ci);
      const pos = e.pos;
      if (e.op === 'not') {
        return (c) => {
          const v = inner(c);
          try {
            return !toBool(v, '"not"');
          } catch (err) {
            throw annotate(err, pos);
          }
        };
      }
      const neg = e.op === '-';
      return (c) => {
        const v = inner(c);
        if (typeof v === 'number') return neg ? -v : v;
        if (typeof v === 'bigint') return neg ? -v : v;
        throw new Fail(`invalid operand for unary ${e.op}: ${typeName(v)}`, pos);
      };
    }
    case 'tern': {
      const cond = compileExpr(e.c, ci);
      const a = compileExpr(e.a, ci);
      const b = compileExpr(e.b, ci);
      const pos = e.pos;
      return (c) => {
        const v = cond(c);
        let t: boolean;
        try {
          t = v !== null && v !== undefined && toBool(v, 'ternary condition');
        } catch (err) {
          throw annotate(err, pos);
        }
        return t ? a(c) : b(c);
      };
    }
    case 'list': {
      const items = e.items.map((x) => compileExpr(x, ci));
      return (c) => {
        const out = new Array<unknown>(items.length);
        for (let i = 0; i < items.length; i++) out[i] = items[i](c);
        return out;
      };
    }
    case 'map': {
      const entries = e.entries.map(([k, v]) => [compileExpr(k, ci), compileExpr(v, ci)] as const);
      return (c) => {
        const out: Dict = {};
        for (const [k, v] of entries) {
          const key = k(c);
          setKey(out, typeof key === 'string' ? key : javaString(key), v(c));
        }
        return out;
      };
    }
    default:
      return thrower('unsupported expression', (e as Expr).pos);
  }
}

// ---------------------------------------------------------------------------------------------
// statements

function guardStmt(f: Body, pos: number): Body {
  return (c) => {
    try {
      return f(c);
    } catch (err) {
      throw annotate(err, pos);
    }
  };
}

function compileStmt(s: Stmt, ci: CInfo): Body {
  switch (s.k) {
    case 'text': {
      const v = s.v;
      return () => v;
    }
    case 'print': {
      const ev = compileExpr(s.e, ci);
      return guardStmt((c) => toOutput(ev(c)), s.e.pos);
    }
    case 'if': {
      const branches = s.branches.map((b) => ({
        cond: compileExpr(b.cond, ci),
        pos: b.cond.pos,
        body: compileBody(b.body, ci),
      }));
      const elseBody = s.else ? compileBody(s.else, ci) : null;
      return (c) => {
        for (const b of branches) {
          const v = b.cond(c);
          let ok: boolean;
          try {
            ok = toBool(v, 'if statement');
          } catch (err) {
            throw annotate(err, b.pos);
          }
          if (ok) return b.body(c);
        }
        return elseBody ? elseBody(c) : '';
      };
    }
    case 'for': {
      const iter = compileExpr(s.iter, ci);
      const body = compileBody(s.body, ci);
      const elseBody = s.else ? compileBody(s.else, ci) : null;
      const { valVar, keyVar } = s;
      const pos = s.iter.pos;
      return (c) => {
        const it = iter(c);
        if (it === null || it === undefined) return '';
        let items: unknown[];
        let keys: unknown[] | null = null;
        if (Array.isArray(it)) items = it;
        else if (isMap(it)) {
          const entries = mapEntries(it);
          if (keyVar) {
            keys = entries.map(([k]) => k);
            items = entries.map(([, v]) => v);
          } else items = entries.map(([key, value]) => ({ key, value }));
        } else throw new Fail(`not an iterable object: ${javaString(it)} (a ${typeName(it)})`, pos);
        const n = items.length;
        if (n === 0) return elseBody ? elseBody(c) : '';
        const saved = c.scope;
        const scope = new Scope(saved);
        c.scope = scope;
        let out = '';
        try {
          for (let i = 0; i < n; i++) {
            scope.vars.set('loop', { index: i, revindex: n - i - 1, first: i === 0, last: i === n - 1, length: n });
            if (keyVar) scope.vars.set(keyVar, keys ? keys[i] : i);
            scope.vars.set(valVar, items[i]);
            out += body(c);
          }
        } finally {
          c.scope = saved;
        }
        return out;
      };
    }
    case 'set': {
      const ev = compileExpr(s.e, ci);
      const name = s.name;
      return guardStmt((c) => {
        const v = ev(c);
        if (c.scope === null) c.scope = new Scope(null);
        c.scope.vars.set(name, v);
        return '';
      }, s.e.pos);
    }
    case 'filterblock': {
      const body = compileBody(s.body, ci);
      const filters = s.filters.map((f) => {
        const def = FILTERS[f.name];
        if (!def) return { run: thrower(`unknown filter "${f.name}"`, f.pos) as unknown as (v: unknown, c: Ctx) => unknown };
        const { evs, error } = mapArgs(f.args, def.args, false, `filter "${f.name}"`, ci);
        if (error) return { run: thrower(error, f.pos) as unknown as (v: unknown, c: Ctx) => unknown };
        return {
          run: (v: unknown, c: Ctx) => {
            try {
              return def.fn(v, evalArgs(evs, c), c);
            } catch (err) {
              throw annotate(err, f.pos, `filter "${f.name}"`);
            }
          },
        };
      });
      return (c) => {
        let v: unknown = body(c);
        for (const f of filters) v = f.run(v, c);
        return toOutput(v);
      };
    }
    default:
      return () => '';
  }
}

function compileBody(stmts: Stmt[], ci: CInfo): Body {
  const parts = stmts.map((s) => compileStmt(s, ci));
  switch (parts.length) {
    case 0: return () => '';
    case 1: return parts[0];
    case 2: {
      const [a, b] = parts;
      return (c) => a(c) + b(c);
    }
    case 3: {
      const [a, b, d] = parts;
      return (c) => a(c) + b(c) + d(c);
    }
    default:
      return (c) => {
        let out = '';
        for (let i = 0; i < parts.length; i++) out += parts[i](c);
        return out;
      };
  }
}

// ---------------------------------------------------------------------------------------------
// templates and the cache

export type TemplateFn = (vars: Vars, env?: ExprEnv) => string;

interface Entry {
  fn: TemplateFn;
  run: (c: Ctx) => string;
  hot: boolean;
}

function toPublic(err: unknown, source: string, tags: readonly TagRange[] | undefined, verb: string): unknown {
  if (err instanceof ExpressionError) return err;
  if (err instanceof Fail) return renderError(source, tags, err.pos < 0 ? 0 : err.pos, err.reason, verb);
  if (err instanceof RangeError && /call stack/i.test(err.message)) return renderError(source, tags, 0, 'expression too deeply nested', verb);
  return err;
}

function syntaxToPublic(err: unknown, source: string): unknown {
  if (err instanceof SyntaxFail) return syntaxError(source, err.pos, err.reason, err.tagStart);
  if (err instanceof Fail) return syntaxError(source, err.pos < 0 ? 0 : err.pos, err.reason);
  return err;
}

function build(source: string): Entry {
  let body: Body;
  let tags: TagRange[];
  try {
    const ast = new Parser(new Lexer(source).tokenize()).parseTemplate();
    tags = ast.tags;
    body = compileBody(ast.body, { src: source });
  } catch (err) {
    throw syntaxToPublic(err, source);
  }
  const run = (c: Ctx): string => {
    try {
      return body(c);
    } catch (err) {
      throw toPublic(err, source, tags, 'render');
    }
  };
  const fn: TemplateFn = (vars, env) => {
    const c: Ctx = { root: vars ?? {}, scope: null, env: env ?? EMPTY_ENV, depth: 0 };
    try {
      return body(c);
    } catch (err) {
      throw toPublic(err, source, tags, 'render');
    }
  };
  return { fn, run, hot: false };
}

export const CACHE_SIZE = 10_000;
const templates = new TemplateCache<Entry>(CACHE_SIZE);

function entry(source: string): Entry {
  let e = templates.get(source);
  if (e === undefined) {
    e = build(source);
    templates.set(source, e);
  }
  return e;
}

export function compileTemplate(source: string): TemplateFn {
  return entry(source).fn;
}

export function templateCacheSize(): number {
  return templates.size;
}

export function clearTemplateCache(): void {
  templates.clear();
  expressions.clear();
}

// lone expressions (evaluate)

interface ExprEntry { ev: Ev; hot: boolean; source: string }
const expressions = new TemplateCache<ExprEntry>(CACHE_SIZE);

function buildExpression(source: string): ExprEntry {
  try {
    const ast = new Parser(new Lexer(source).tokenizeExpression()).parseLoneExpression();
    return { ev: compileExpr(ast, { src: source }), hot: false, source };
  } catch (err) {
    throw syntaxToPublic(err, source);
  }
}

export function compileExpression(source: string): ExprEntry {
  let e = expressions.get(source);
  if (e === undefined) {
    e = buildExpression(source);
    expressions.set(source, e);
  }
  return e;
}

export function evaluateExpression(source: string, vars: Vars, env?: ExprEnv): unknown {
  const e = compileExpression(source);
  const c: Ctx = { root: vars ?? {}, scope: null, env: env ?? EMPTY_ENV, depth: 0 };
  try {
    return e.ev(c);
  } catch (err) {
    throw toPublic(err, source, [{ start: 0, end: source.length }], 'evaluate');
  }
}

hooks.renderString = (source: string, c: Ctx): string => {
  const inner: Ctx = { root: c.root, scope: c.scope === null ? null : new Scope(c.scope), env: c.env, depth: c.depth };
  return entry(source).run(inner);
};


