// Errors of the expression engine. `ExpressionError` is the one public error: it names the template,
// the tag (`{{ … }}` / `{% … %}`) that failed and the 1-based line and column in the template source.
// Inside the engine, evaluation throws the light `Fail` signal (no stack capture: cheap enough to use
// for `??`, `is defined` and `default`), converted to an ExpressionError at the template boundary.

export class ExpressionError extends Error {
  /** The whole template (or expression) source. */
  readonly template: string;
  /** 1-based line of the failing position in `template`. */
  readonly line: number;
  /** 1-based column of the failing position in `template`. */
  readonly column: number;
  /** The reason alone, without the position prefix. */
  readonly reason: string;
  /** The source of the tag that failed (e.g. `{{ inputs.nme }}`), when known. */
  readonly expression: string;

  constructor(message: string, template: string, line: number, column: number, reason: string, expression: string) {
    super(message);
    this.name = 'ExpressionError';
    this.template = template;
    this.line = line;
    this.column = column;
    this.reason = reason;
    this.expression = expression;
  }
}

/**
 * Internal failure signal. `soft` marks "undefined" failures (missing variable, attribute, index, or an
 * attribute of null): those are what `??`, `???`, `is defined` and `default` recover from.
 */
export class Fail {
  constructor(
    readonly reason: string,
    /** Offset in the source, or -1 when the catching node should supply its own. */
    public pos: number,
    readonly soft: boolean = false,
  ) {}
}

export function fail(reason: string, pos = -1): never {
  throw new Fail(reason, pos, false);
}

/** 1-based line and column of an offset. */
export function lineCol(source: string, offset: number): { line: number; column: number } {
  let line = 1;
  let lineStart = 0;
  const end = Math.min(Math.max(offset, 0), source.length);
  for (let i = 0; i < end; i++) {
    if (source.charCodeAt(i) === 10) {
      line++;
      lineStart = i + 1;
    }
  }
  return { line, column: end - lineStart + 1 };
}

export interface TagRange { start: number; end: number }

function tagAt(source: string, tags: readonly TagRange[] | undefined, pos: number): string {
  if (tags) {
    for (const t of tags) if (pos >= t.start && pos < t.end) return source.slice(t.start, t.end);
  }
  return source.length > 200 ? source.slice(0, 197) + '...' : source;
}

/** Builds the public error for a runtime failure at `pos`. */
export function renderError(source: string, tags: readonly TagRange[] | undefined, pos: number, reason: string, verb = 'render'): ExpressionError {
  const { line, column } = lineCol(source, pos);
  const expression = tagAt(source, tags, pos);
  return new ExpressionError(
    `Unable to ${verb} "${expression}" at line ${line}, column ${column}: ${reason}`,
    source, line, column, reason, expression,
  );
}

/** Builds the public error for a syntax error at `pos`. */
export function syntaxError(source: string, pos: number, reason: string, tagStart = -1): ExpressionError {
  const { line, column } = lineCol(source, pos);
  let expression = source;
  if (tagStart >= 0) {
    const nl = source.indexOf('\n', pos);
    expression = source.slice(tagStart, Math.max(pos + 1, nl < 0 ? source.length : nl));
  }
  if (expression.length > 200) expression = expression.slice(0, 197) + '...';
  return new ExpressionError(
    `Invalid expression "${expression}" at line ${line}, column ${column}: ${reason}`,
    source, line, column, reason, expression,
  );
}

/** Thrown by the parser; carries the offset. Converted to ExpressionError by the caller. */
export class SyntaxFail {
  constructor(readonly reason: string, readonly pos: number, readonly tagStart: number = -1) {}
}

/** Attaches a position (and a "filter x:" style prefix) to whatever a helper threw. */
export function annotate(e: unknown, pos: number, prefix?: string): unknown {
  if (e instanceof Fail) {
    if (e.soft) {
      if (e.pos < 0) e.pos = pos;
      return e;
    }
    if (prefix && !e.reason.startsWith(prefix)) return new Fail(`${prefix}: ${e.reason}`, e.pos < 0 ? pos : e.pos);
    if (e.pos < 0) e.pos = pos;
    return e;
  }
  if (e instanceof ExpressionError) return new Fail(prefix ? `${prefix}: ${e.message}` : e.message, pos);
  const msg = e instanceof Error ? e.message : String(e);
  return new Fail(prefix ? `${prefix}: ${msg}` : msg, pos);
}

export function soft(reason: string, pos: number): never {
  throw new Fail(reason, pos, true);
}

