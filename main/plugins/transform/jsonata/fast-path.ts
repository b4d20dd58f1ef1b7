// A synchronous evaluator for the plain mapping expressions most event flows use — paths of field
// names, object constructors, string concatenation, arithmetic, blocks and $sum/$count/$max/$min/
// $average — following jsonata 2.x's rules for sequences (path flattening, singleton collapse).
// jsonata's own evaluator is asynchronous at every step: on a 500-item order it costs ~1.8 ms and
// most of the garbage of an execution; this costs a fraction of it.
// Anything else is left to jsonata: an expression outside the subset compiles to undefined, and an
// input this evaluator does not take as it is (a non-number in arithmetic, a top-level array …)
// makes it step aside (Fallback), so that jsonata evaluates that input and reports its errors.

/** Thrown when this input needs jsonata's own evaluation. */
export class Fallback extends Error {}

type Node = Record<string, unknown> & { type: string; value?: unknown };
type Evaluator = (context: unknown) => unknown;

const SEQUENCE = Symbol('sequence');
type Sequence = unknown[] & { [SEQUENCE]?: true };

function sequence(): Sequence {
  const s: Sequence = [];
  s[SEQUENCE] = true;
  return s;
}

const isSequence = (v: unknown): v is Sequence => Array.isArray(v) && (v as Sequence)[SEQUENCE] === true;

/** Keys a node of the subset may carry; any other (predicates, sorting, focus, keepArray …) means jsonata. */
const PLAIN_KEYS = new Set(['type', 'value', 'position', 'steps', 'lhs', 'rhs', 'expressions', 'arguments', 'procedure']);

/** The node carries nothing beyond the subset's keys (jsonata leaves some keys set to undefined). */
const isPlain = (node: Node): boolean => Object.entries(node).every(([k, v]) => v === undefined || PLAIN_KEYS.has(k));

const AGGREGATES: Record<string, (numbers: number[]) => number | undefined> = {
  sum: (ns) => ns.reduce((a, b) => a + b, 0),
  max: (ns) => (ns.length ? Math.max(...ns) : undefined),
  min: (ns) => (ns.length ? Math.min(...ns) : undefined),
  average: (ns) => (ns.length ? ns.reduce((a, b) => a + b, 0) / ns.length : undefined),
};

const ARITHMETIC: Record<string, (a: number, b: number) => number> = {
  '+': (a, b) => a + b,
  '-': (a, b) => a - b,
  '*': (a, b) => a * b,
  '/': (a, b) => a / b,
  '%': (a, b) => a % b,
};

/** The evaluator of a parsed expression (jsonata's AST), or undefined when it is outside the subset. */
export function compileFastPath(ast: unknown): ((input: unknown) => unknown) | undefined {
  let evaluator: Evaluator | undefined;
  try {
    evaluator = compile(ast as Node);
  } catch (e) {
    if (e instanceof Fallback) return undefined;
    throw e;
  }
  return (input) => {
    // jsonata wraps a top-level array in an outer sequence with rules of its own: leave it to jsonata.
    if (input === null || typeof input !== 'object' || Array.isArray(input)) throw new Fallback();
    return evaluator(input);
  };
}

function compile(node: Node): Evaluator {
  if (node === null || typeof node !== 'object' || !isPlain(node)) throw new Fallback();
  switch (node.type) {
    case 'string':
    case 'number': {
      const value = node.value;
      return () => value;
    }
    case 'path':
      return compilePath(node.steps as Node[]);
    case 'name': {
      // A name alone is a one-step path.
      return compilePath([node]);
    }
    case 'block': {
      const expressions = node.expressions as Node[];
      if (expressions.length !== 1) throw new Fallback();
      return compile(expressions[0]);
    }
    case 'unary':
      if (node.value !== '{') throw new Fallback();
      return compileObject(node);
    case 'binary':
      return compileBinary(node);
    case 'function':
      return compileAggregate(node);
    default:
      throw new Fallback();
  }
}

/** A path: each step is evaluated against every item of the previous step's results, flattened. */
function compilePath(steps: Node[]): Evaluator {
  if (!steps.length) throw new Fallback();
  const startsAtContext = steps[0].type === 'variable';
  if (startsAtContext && steps[0].value !== '') throw new Fallback(); // only `$`, no other variable
  const compiled = steps.map((step, i) => {
    if (i === 0 && startsAtContext) return (context: unknown) => context;
    if (step.type === 'name') {
      if (!isPlain(step)) throw new Fallback();
      const name = String(step.value);
      return (context: unknown) => collapse(lookup(context, name));
    }
    if (step.type === 'unary' && step.value === '{' && isPlain(step)) return compileObject(step);
    if (step.type === 'block') return compile(step);
    throw new Fallback();
  });
  const last = compiled.length - 1;
  return (context) => {
    // A path starting with a name maps over an array context; `$` takes the context as one item.
    let items: unknown[] = Array.isArray(context) && !startsAtContext ? context : [context];
    for (let i = 0; i < compiled.length; i++) {
      items = evaluateStep(compiled[i], items, i === last);
      if (!items.length) break;
    }
    return collapse(items);
  };
}

function evaluateStep(step: Evaluator, items: unknown[], lastStep: boolean): Sequence {
  const results: unknown[] = [];
  for (const item of items) {
    const r = step(item);
    if (r !== undefined) results.push(r);
  }
  // The last step of a path yielding one array keeps that array as it is.
  if (lastStep && results.length === 1 && Array.isArray(results[0]) && !isSequence(results[0])) return results[0] as Sequence;
  const out = sequence();
  for (const r of results) {
    if (Array.isArray(r) && !isSequence(r)) for (const v of r) out.push(v);
    else if (isSequence(r)) for (const v of r) out.push(v);
    else out.push(r);
  }
  return out;
}

/** jsonata's field lookup: over an array it maps, flattening array values one level. */
function lookup(input: unknown, name: string): unknown {
  if (Array.isArray(input)) {
    const out = sequence();
    for (const item of input) {
      const v = lookup(item, name);
      if (v === undefined) continue;
      if (Array.isArray(v)) for (const x of v) out.push(x);
      else out.push(v);
    }
    return out;
  }
  if (input !== null && typeof input === 'object') return Object.prototype.hasOwnProperty.call(input, name) ? (input as Record<string, unknown>)[name] : undefined;
  return undefined;
}

/** A sequence of none is nothing, of one is that value. */
function collapse(value: unknown): unknown {
  if (!isSequence(value)) return value;
  if (value.length === 0) return undefined;
  return value.length === 1 ? value[0] : value;
}

/** `{ "key": value, … }` with literal, distinct keys, applied to one item. */
function compileObject(node: Node): Evaluator {
  const pairs = node.lhs as [Node, Node][];
  const keys = new Set<string>();
  const compiled = pairs.map(([key, value]) => {
    if (key.type !== 'string' || !isPlain(key)) throw new Fallback();
    const name = String(key.value);
    if (keys.has(name)) throw new Fallback(); // jsonata reports it (D1009)
    keys.add(name);
    return [name, compile(value)] as const;
  });
  return (context) => {
    // Over several items jsonata groups them by key: its rules, not ours.
    if (Array.isArray(context)) throw new Fallback();
    const out: Record<string, unknown> = {};
    for (const [name, value] of compiled) {
      const v = value(context);
      if (v !== undefined) out[name] = v;
    }
    return out;
  };
}

function compileBinary(node: Node): Evaluator {
  const lhs = compile(node.lhs as Node);
  const rhs = compile(node.rhs as Node);
  if (node.value === '&') return (context) => toText(lhs(context)) + toText(rhs(context));
  const op = ARITHMETIC[String(node.value)];
  if (!op) throw new Fallback();
  return (context) => {
    const a = lhs(context);
    const b = rhs(context);
    const aNumber = typeof a === 'number' && Number.isFinite(a);
    const bNumber = typeof b === 'number' && Number.isFinite(b);
    // A non-number is jsonata's error to report (T2001/T2002).
    if ((a !== undefined && !aNumber) || (b !== undefined && !bNumber)) throw new Fallback();
    if (a === undefined || b === undefined) return undefined;
    const r = op(a as number, b as number);
    if (!Number.isFinite(r)) throw new Fallback();
    return r;
  };
}

/** $string as `&` uses it; numbers and structures are left to jsonata (its number formatting). */
function toText(v: unknown): string {
  if (v === undefined) return '';
  if (typeof v === 'string') return v;
  if (typeof v === 'boolean' || v === null) return String(v);
  // Integers below 1e15 print the same through jsonata's 15-significant-digit formatting.
  if (typeof v === 'number' && Number.isInteger(v) && Math.abs(v) < 1e15) return String(v);
  throw new Fallback();
}

function compileAggregate(node: Node): Evaluator {
  const procedure = node.procedure as Node;
  const args = node.arguments as Node[];
  if (procedure.type !== 'variable' || args.length !== 1 || !isPlain(procedure)) throw new Fallback();
  const name = String(procedure.value);
  const arg = compile(args[0]);
  if (name === 'count') {
    return (context) => {
      const v = arg(context);
      if (v === undefined) return 0;
      return Array.isArray(v) ? v.length : 1;
    };
  }
  const aggregate = AGGREGATES[name];
  if (!aggregate) throw new Fallback();
  return (context) => {
    const v = arg(context);
    if (v === undefined) return undefined;
    const numbers = Array.isArray(v) ? v : [v];
    // A non-number is jsonata's error to report (T0412).
    for (const n of numbers) if (typeof n !== 'number' || !Number.isFinite(n)) throw new Fallback();
    return aggregate(numbers as number[]);
  };
}
