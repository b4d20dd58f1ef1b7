import { describe, expect, it } from 'vitest';
import { formatError, parseFlow, type FlowError } from '../../../main/flow';
import { check, fixture } from './helpers';

describe('parseFlow', () => {
  it('parses a flow and keeps every node position', () => {
    const parsed = parseFlow('id: a\nnamespace: b\ntasks:\n  - id: x\n    type: t\n', 'a.yaml');
    expect(parsed.errors).toEqual([]);
    expect(parsed.flow).toEqual({ id: 'a', namespace: 'b', tasks: [{ id: 'x', type: 't' }] });
    expect(parsed.locator.at(['tasks', 0, 'type'])).toMatchObject({ line: 5, column: 11 });
    expect(parsed.locator.at(['tasks', 0, 'type'], 'key')).toMatchObject({ line: 5, column: 5 });
    expect(parsed.locator.at(['tasks', 0], 'map')).toMatchObject({ line: 4, column: 5 });
  });

  it('maps a misindented key to its line, at its first character', () => {
    const { errors } = parseFlow(fixture('broken/bad-indentation.yaml'), 'bad-indentation.yaml');
    expect(errors).toHaveLength(1);
    expect(errors[0]).toMatchObject({ line: 6, column: 4, path: 'tasks[0]', severity: 'error' });
    expect(errors[0].message).toMatch(/^bad indentation: this line does not line up with the keys above it/);
    expect(formatError(errors[0])).toMatch(/^bad-indentation\.yaml:6:4: tasks\[0\]: bad indentation/);
  });

  it('points a line indented too deep at that line', () => {
    expect(check('id: a\nnamespace: b\ntasks:\n  - id: x\n    type: t\n      message: hi\n')).toEqual([
      { at: '6:7', path: 'tasks[0]', message: 'bad indentation: this line is indented deeper than the line above it (align it with its siblings)' },
    ]);
  });

  it('reports tabs, duplicate keys and unclosed quotes at their place', () => {
    expect(check('id: a\n\tnamespace: b\n')[0]).toMatchObject({ at: '2:1', message: expect.stringMatching(/^tabs are not allowed/) });
    expect(check('id: a\nnamespace: b\ntasks:\n  - id: x\n    id: y\n')).toEqual([
      { at: '5:5', path: 'tasks[0].id', message: 'duplicate key "id": each key may appear once in a mapping' },
    ]);
    expect(check('id: "abc\nnamespace: b\n')).toEqual([{ at: '1:5', path: '', message: 'this string is never closed: add the closing "' }]);
  });

  it('reports an alias without its anchor instead of throwing', () => {
    expect(check('id: test\nnamespace: *ns\ntasks: []\n')).toEqual([
      { at: '2:12', path: '', message: 'unknown alias *ns: define the anchor &ns before using it' },
    ]);
  });

  it('reads anchors and aliases (Kestra accepts them)', () => {
    const src = 'id: test\nnamespace: company.team\ntasks:\n  - &log\n    id: a\n    type: io.kestra.plugin.core.log.Log\n    message: hi\n  - id: b\n    type: io.kestra.plugin.core.log.Log\n    message: hi\n';
    expect(check(src)).toEqual([]);
  });

  it('does not validate a flow whose YAML is broken (no cascade of errors)', () => {
    expect(check('id: a\ntasks: [\n')).toHaveLength(1);
  });

  it('gives no flow for a document that is not a mapping', () => {
    expect(parseFlow('- a\n- b\n').flow).toBeUndefined();
    expect(check('- a\n')).toEqual([{ at: '1:1', path: '', message: 'a flow is a YAML mapping with at least id, namespace and tasks' }]);
    expect(check('')).toEqual([{ at: '1:1', path: '', message: 'a flow is a YAML mapping with at least id, namespace and tasks' }]);
  });
});

describe('formatError', () => {
  const e: FlowError = { file: 'f.yaml', line: 3, column: 7, path: 'tasks[1].format', message: 'expected one of STRING, JSON but got XML', severity: 'error' };
  it('prints file:line:col: path: message', () => {
    expect(formatError(e)).toBe('f.yaml:3:7: tasks[1].format: expected one of STRING, JSON but got XML');
  });
  it('leaves out what is unknown and marks warnings', () => {
    expect(formatError({ ...e, file: undefined, path: '', severity: 'warning' })).toBe('3:7: warning: expected one of STRING, JSON but got XML');
  });
});
