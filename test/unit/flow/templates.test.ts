import { afterAll, describe, expect, it } from 'vitest';
import { basicTemplateCheck, loadFlow, setTemplateValidator, type TemplateIssue } from '../../../main/flow';
import { testRegistry } from './registry';

/** A stub checker that flags the first "!" of a template: the error must land on that "!" in the file. */
function bangCheck(source: string): TemplateIssue | undefined {
  const i = source.indexOf('!');
  if (i < 0) return undefined;
  const before = source.slice(0, i);
  return { line: before.split('\n').length, column: i - (before.lastIndexOf('\n') + 1) + 1, message: 'bang' };
}

/** Where the n-th "!" of the file is (1-based line:col), skipping the ones in `# comments`. */
function bangAt(src: string): string {
  const lines = src.split('\n');
  for (let l = 0; l < lines.length; l++) {
    const c = lines[l].indexOf('!');
    if (c >= 0) return `${l + 1}:${c + 1}`;
  }
  return 'none';
}

const flowWith = (message: string): string =>
  `id: t\nnamespace: n\ntasks:\n  - id: a\n    type: io.kestra.plugin.core.log.Log\n    message: ${message}\n`;

const templateErrors = (src: string) =>
  loadFlow(src, 'f.yaml', testRegistry())
    .errors.filter((e) => e.message.startsWith('invalid expression'))
    .map((e) => `${e.line}:${e.column}`);

describe('template positions are absolute in the file, for every scalar style', () => {
  afterAll(() => setTemplateValidator());
  const cases: Record<string, string> = {
    plain: 'Hello {{ a }} then {{ b! }}',
    'single-quoted with an escaped quote': "'it''s {{ a }} and {{ b! }}'",
    'double-quoted with escapes': '"tab\\there \\"q\\" \\u00e9 {{ x! }}"',
    'double-quoted over two lines with an escaped line break': '"first {{ a }} \\\n      second {{ b! }}"',
    'plain over two lines (folded)': 'Hello {{ a }} first\n      second {{ b! }}',
    'literal block': '|\n      line one {{ a }}\n      line two {{ b! }}\n',
    'literal block with a more-indented line': '|\n      line one\n        {{ deeper! }}\n',
    'literal block keeping trailing newlines': '|+\n      {{ a }}\n\n      {{ b! }}\n',
    'literal block with an indentation indicator': '|2\n      {{ a }}\n      {{ b! }}\n',
    'folded block': '>-\n      folded {{ a }}\n      and {{ b! }}\n',
    'folded block with an empty line': '>\n      one\n\n      two {{ b! }}\n',
  };
  for (const [style, message] of Object.entries(cases)) {
    it(style, () => {
      setTemplateValidator(bangCheck);
      const src = flowWith(message);
      expect(templateErrors(src)).toEqual([bangAt(src)]);
    });
  }

  it('uses the reason, not a message that repeats the position', () => {
    setTemplateValidator(() => ({ line: 1, column: 4, message: 'Invalid expression "{{ x" at line 1, column 4: boom', reason: 'boom' }));
    const e = loadFlow(flowWith('"{{ x }}"'), 'f.yaml', testRegistry()).errors[0];
    expect(e).toMatchObject({ line: 6, column: 18, path: 'tasks[0].message', message: 'invalid expression: boom' });
  });

  it('a validator that throws is reported, not fatal', () => {
    setTemplateValidator(() => {
      throw new Error('crashed');
    });
    expect(templateErrors(flowWith('"{{ x }}"'))).toEqual(['6:15']);
  });

  it('descriptions are not templates', () => {
    setTemplateValidator(basicTemplateCheck);
    const src = 'id: t\nnamespace: n\ndescription: "use {{ like this"\ntasks:\n  - id: a\n    type: io.kestra.plugin.core.log.Log\n    message: hi\n';
    expect(templateErrors(src)).toEqual([]);
  });
});

describe('basicTemplateCheck', () => {
  const at = (s: string) => {
    const r = basicTemplateCheck(s);
    return r && `${r.line}:${r.column} ${r.message}`;
  };
  it('accepts well-formed templates', () => {
    for (const ok of [
      'plain text { not a tag }',
      '{{ a }}',
      "{{ a | default('}}') }}",
      '{{ {"k": [1, 2]} | json }}',
      '{%- if a -%}x{% endif %}',
      '{# a comment #}',
      '{% raw %}{{ not parsed {% endraw %}',
      'a }} b',
    ]) {
      expect(at(ok), ok).toBeUndefined();
    }
  });
  it('finds unclosed tags, strings and brackets', () => {
    expect(at('x {{ a')).toBe('1:3 {{ is never closed: add }}');
    expect(at('line\n  {% if a')).toBe('2:3 {% is never closed: add %}');
    expect(at('{{ "abc }}')).toBe('1:4 string is never closed: add "');
    expect(at('{{ f(a }}')).toBe('1:5 "(" is never closed: add ")"');
    expect(at('{{ a] }}')).toBe('1:5 unexpected "]"');
    expect(at('{{ }}')).toBe('1:1 empty expression {{ }}');
    expect(at('{# x')).toBe('1:1 comment {# is never closed: add #}');
    expect(at('{% raw %}{{')).toBe('1:1 {% raw %} is never closed: add {% endraw %}');
  });
});
