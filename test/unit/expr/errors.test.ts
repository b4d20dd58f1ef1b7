// Errors: strict variables like Kestra, messages that name the expression, the filter or function,
// and 1-based line/column positions in the template source.
import { describe, expect, it } from 'vitest';
import { evaluate, ExpressionError, render, validateTemplate, type ExprEnv } from '../../../main/expr/index';
import { vars } from './fixtures';

interface ErrCase { t: string; msg: string; line: number; col: number; env?: ExprEnv }

/** Column (1-based) of `needle` on `line` (1-based) of `src`: computed from the source, not the engine. */
function colOf(src: string, line: number, needle: string): number {
  const l = src.split('\n')[line - 1];
  const i = l.indexOf(needle);
  if (i < 0) throw new Error(`"${needle}" not on line ${line}`);
  return i + 1;
}

const multi = 'Hello {{ flow.id }}\n  and {{ flow.nope }}';
const multiFilter = 'a\nb {{ flow.id }}\n   {{ execution.startDate | date("yyyy-MM-dd bbb") }}';
const multiSyntax = 'line one\nline two {{ x | }}';

const runtime: ErrCase[] = [
  { t: '{{ inputs.nme }}', msg: 'Unable to render "{{ inputs.nme }}" at line 1, column 4: "nme" is not defined on inputs', line: 1, col: 4 },
  { t: '{{ nme }}', msg: '"nme" is not defined', line: 1, col: 4 },
  { t: multi, msg: '"nope" is not defined on flow', line: 2, col: colOf(multi, 2, 'flow.nope') },
  { t: multi, msg: 'Unable to render "{{ flow.nope }}"', line: 2, col: colOf(multi, 2, 'flow.nope') },
  { t: multiFilter, msg: 'filter "date": Unknown pattern letter: b', line: 3, col: colOf(multiFilter, 3, 'date(') },
  { t: "{{ 'x' | date('yyyy') }}", msg: 'filter "date"', line: 1, col: 10 },
  { t: "{{ 'x' | date('yyyy') }}", msg: "Text 'x' could not be parsed", line: 1, col: 10 },
  { t: "{{ 'x' | nope }}", msg: 'unknown filter "nope"', line: 1, col: 10 },
  { t: '{{ nope(1) }}', msg: 'unknown function "nope"', line: 1, col: 4 },
  { t: '{{ 3 is prime }}', msg: 'unknown test "prime"', line: 1, col: 4 },
  { t: '{{ inputs.optional_input.foo }}', msg: '"foo" cannot be read: inputs.optional_input is null', line: 1, col: 4 },
  { t: '{{ trigger.data.items[5] }}', msg: 'index 5 is out of bounds on trigger.data.items (size 2)', line: 1, col: 4 },
  { t: '{{ 1 / 0 }}', msg: '/ by zero', line: 1, col: 6 },
  { t: "{{ 'a' - 1 }}", msg: 'invalid operands for mathematical operation [SUBTRACT]', line: 1, col: 8 },
  { t: "{{ 'a' < 1 }}", msg: 'invalid operands for comparison <', line: 1, col: 8 },
  { t: '{% if inputs.optional_input %}x{% endif %}', msg: 'null value given to if statement', line: 1, col: 7 },
  { t: '{{ foo2 ?? bar ?? raise }}', msg: '"raise" is not defined', line: 1, col: 19 },
  { t: '{% for x in 5 %}{{ x }}{% endfor %}', msg: 'not an iterable object', line: 1, col: 13 },
  { t: "{{ secret('GITHUB_TOKEN') }}", msg: 'function "secret": secret(\'GITHUB_TOKEN\') cannot be resolved: no secret provider is configured', line: 1, col: 4 },
  { t: "{{ kv('k') }}", msg: 'no KV store is configured', line: 1, col: 4 },
  { t: "{{ read('f.txt') }}", msg: 'no file reader is configured', line: 1, col: 4 },
  { t: "{{ now() | dateAdd(1, 'FORTNIGHTS') }}", msg: 'filter "dateAdd": unknown unit "FORTNIGHTS"', line: 1, col: 12 },
  { t: "{{ [1] | jq('.[') }}", msg: 'filter "jq"', line: 1, col: 10 },
  { t: "{{ 'not json' | jq('.') }}", msg: 'Unable to parse jq value', line: 1, col: 17 },
  { t: "{{ 'x' | number }}", msg: 'filter "number"', line: 1, col: 10 },
  { t: "{{ 'abc' | date('yyyy', timeZone='Mars/Olympus') }}", msg: 'Unknown time-zone ID: Mars/Olympus', line: 1, col: 12 },
  { t: '{{ render(vars.bad) }}', msg: 'function "render": Unable to render "{{ nope }}" at line 1, column 4: "nope" is not defined', line: 1, col: 4 },
  { t: "{{ 'abc' | slice(2, 1) }}", msg: 'toIndex must be greater than fromIndex', line: 1, col: 12 },
  { t: '{{ fromJson("{bad") }}', msg: 'function "fromJson": fromJson(): invalid JSON', line: 1, col: 4 },
  { t: "{{ 'x' | abbreviate(length=1, foo=2) }}", msg: 'filter "abbreviate" has no argument named "foo"', line: 1, col: 10 },
  { t: '{{ inputs.name.nosuch() }}', msg: 'method nosuch() is not supported on inputs.name (a string)', line: 1, col: 4 },
  { t: '{{ range(1, 2, 0) }}', msg: 'The increment of the range function must be different than 0', line: 1, col: 4 },
];

const syntax: ErrCase[] = [
  { t: '{{ a + }}', msg: 'Invalid expression "{{ a + }}" at line 1, column 8: unexpected "}}"', line: 1, col: 8 },
  { t: multiSyntax, msg: 'expected a filter name but found "}}"', line: 2, col: colOf(multiSyntax, 2, '}}') },
  { t: '{% if x %}never closed', msg: 'expected {% endif %}', line: 1, col: 1 },
  { t: "{{ 'abc }}", msg: 'unclosed string', line: 1, col: 4 },
  { t: '{{ foo(1, }}', msg: 'unclosed "(": expected ")" but found "}"', line: 1, col: 11 },
  { t: '{{ flow.id', msg: 'unclosed tag: expected "}}"', line: 1, col: 1 },
  { t: '{% for x %}{% endfor %}', msg: 'expected "in"', line: 1, col: 10 },
  { t: '{% macro x() %}{% endmacro %}', msg: 'unknown or unsupported tag "macro"', line: 1, col: 4 },
  { t: '{{ a ? b }}', msg: 'expected ":"', line: 1, col: 10 },
  { t: '{{ }}', msg: 'empty expression', line: 1, col: 4 },
  { t: '{{ a b }}', msg: 'expected "}}" but found "b"', line: 1, col: 6 },
  { t: '{{ a | f(x=1, 2) }}', msg: 'positional arguments must be declared before any named arguments', line: 1, col: 15 },
  { t: '{% endif %}', msg: 'unexpected {% endif %}', line: 1, col: 4 },
  { t: '{{ 1 }}{# never closed', msg: 'unclosed comment', line: 1, col: 8 },
  { t: '{% raw %}x', msg: 'unclosed "raw" tag', line: 1, col: 1 },
  { t: '{{ a ! b }}', msg: 'unexpected character "!"', line: 1, col: 6 },
  { t: '{{ [1, 2) }}', msg: 'expected "]" but found ")"', line: 1, col: 9 },
  { t: '{% set true = 1 %}', msg: 'cannot assign a value to true', line: 1, col: 8 },
];

function env(c: ErrCase): ExprEnv {
  return c.env ?? { timezone: 'UTC' };
}

describe('runtime errors name the expression and its position', () => {
  it.each(runtime.map((c) => [c.t, c] as const))('%s', (_n, c) => {
    const v = { ...vars(), vars: { ...(vars().vars as object), bad: '{{ nope }}' } };
    let err: unknown;
    try {
      render(c.t, v, env(c));
    } catch (e) {
      err = e;
    }
    expect(err).toBeInstanceOf(ExpressionError);
    const e = err as ExpressionError;
    expect(e.message).toContain(c.msg);
    expect([e.line, e.column]).toEqual([c.line, c.col]);
    expect(e.template).toBe(c.t);
  });
});

describe('syntax errors name line and column', () => {
  it.each(syntax.map((c) => [c.t, c] as const))('%s', (_n, c) => {
    const e = validateTemplate(c.t);
    expect(e).toBeInstanceOf(ExpressionError);
    expect(e!.message).toContain(c.msg);
    expect([e!.line, e!.column]).toEqual([c.line, c.col]);
    // render reports the same error
    expect(() => render(c.t, vars())).toThrow(c.msg);
  });
});

describe('error details', () => {
  it('exposes reason and tag separately', () => {
    try {
      render('x\n{{ inputs.nme | upper }}', vars());
      expect.unreachable();
    } catch (e) {
      const err = e as ExpressionError;
      expect(err.reason).toBe('"nme" is not defined on inputs');
      expect(err.expression).toBe('{{ inputs.nme | upper }}');
      expect(err.line).toBe(2);
      expect(err.column).toBe(4);
    }
  });

  it('evaluate() errors carry the expression and position', () => {
    expect(() => evaluate('flow.id == inputs.nope', vars())).toThrow('Unable to evaluate "flow.id == inputs.nope" at line 1, column 12: "nope" is not defined on inputs');
    try {
      evaluate('1 +', vars());
      expect.unreachable();
    } catch (e) {
      expect((e as ExpressionError).column).toBe(4);
    }
  });

  it('missing variables are errors, not empty strings (Kestra is strict)', () => {
    expect(() => render('{{ trigger.value }}', {})).toThrow('"trigger" is not defined');
    expect(render('{{ x }}', { x: null })).toBe('');
  });

  it('validateTemplate only checks syntax: unknown filters fail at render time', () => {
    expect(validateTemplate('{{ x | someFutureFilter }}')).toBeUndefined();
    expect(validateTemplate('{{ errorLogs() }}')).toBeUndefined();
    expect(() => render('{{ errorLogs() }}', {})).toThrow('unknown function "errorLogs"');
  });
});
