// Whatever the text, loading a flow never throws and every error has a real position.
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { flowToGraph, loadFlow, resolveInputs } from '../../../main/flow';
import { fixture } from './helpers';
import { testRegistry } from './registry';

const registry = testRegistry();
const sources = ['valid/flowable.yaml', 'valid/inputs.yaml', 'valid/hello-webhook.yaml', 'broken/duplicate-ids.yaml'].map(fixture);

function assertSane(source: string): void {
  const result = loadFlow(source, 'f.yaml', registry);
  const lines = source.split('\n').length;
  for (const e of result.errors) {
    expect(e.line).toBeGreaterThanOrEqual(1);
    expect(e.line).toBeLessThanOrEqual(lines);
    expect(e.column).toBeGreaterThanOrEqual(1);
    expect(e.message.length).toBeGreaterThan(0);
  }
  if (result.flow) {
    flowToGraph(result.flow, registry);
    if (Array.isArray(result.flow.inputs)) resolveInputs({ inputs: result.flow.inputs.filter((i) => i && typeof i === 'object') }, {});
  }
}

describe('robustness', () => {
  it('survives arbitrary text', () => {
    fc.assert(fc.property(fc.string({ maxLength: 200 }), (s) => assertSane(s)), { numRuns: 300 });
  });

  it('survives edits of real flows (deleted, inserted and replaced characters)', () => {
    const edit = fc.record({
      file: fc.nat({ max: sources.length - 1 }),
      at: fc.nat(),
      del: fc.nat({ max: 4 }),
      insert: fc.constantFrom('', ' ', '  ', '\n', '-', ':', '{{', '}', '"', "'", '[', 'x', '\t', '|', '#', '*a', '&a '),
    });
    fc.assert(
      fc.property(edit, ({ file, at, del, insert }) => {
        const src = sources[file];
        const i = at % (src.length + 1);
        assertSane(src.slice(0, i) + insert + src.slice(i + del));
      }),
      { numRuns: 400 },
    );
  });
});
