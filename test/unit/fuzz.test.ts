// Bad input never crashes and never hangs: 10,000 generated and mutated flow documents and
// templates go through the parser, the validator and the expression engine; every rejection is
// an error with a position. The seed is printed so a failure can be replayed (FUZZ_SEED=…).
import fs from 'node:fs';
import path from 'node:path';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { ExpressionError, render, validateTemplate } from '../../main/expr';
import { loadFlow } from '../../main/flow';
import { createRegistry } from '../../main/plugins';

// A fixed seed by default (CI stays reproducible); FUZZ_SEED=random explores new cases.
const seed = process.env.FUZZ_SEED === 'random' ? Date.now() % 2 ** 31 : Number(process.env.FUZZ_SEED ?? 20261129);
const registry = createRegistry();
const FIXTURES = ['test/fixtures/kestra-benchmarks', 'test/fixtures/flows/valid'].flatMap((d) =>
  fs.readdirSync(d).filter((f) => /\.ya?ml$/.test(f)).map((f) => fs.readFileSync(path.join(d, f), 'utf8')),
);
const NOISE = [':', '- ', '  ', '\t', '{{', '}}', '{%', '%}', '"', "'", '|', '>', '#', '[', ']', '{', '}', '&a', '*a', '!!str ', '\n', '---\n', 'type: ', 'id: ', '\u0000', '\uFFFF', '😀'];

/** A mutation of a valid flow: delete, insert, duplicate, swap, re-indent. */
const mutated = fc
  .tuple(fc.constantFrom(...FIXTURES), fc.array(fc.tuple(fc.nat(), fc.nat(4), fc.nat(NOISE.length - 1)), { minLength: 1, maxLength: 6 }))
  .map(([source, edits]) => {
    let s = source;
    for (const [at, kind, noise] of edits) {
      const i = at % (s.length + 1);
      const lines = s.split('\n');
      const l = at % lines.length;
      switch (kind) {
        case 0: s = s.slice(0, i) + s.slice(i + 1 + (at % 7)); break;
        case 1: s = s.slice(0, i) + NOISE[noise] + s.slice(i); break;
        case 2: lines.splice(l, 0, lines[l]); s = lines.join('\n'); break;
        case 3: [lines[l], lines[(l + 1) % lines.length]] = [lines[(l + 1) % lines.length], lines[l]]; s = lines.join('\n'); break;
        default: lines[l] = ' '.repeat(noise % 5) + lines[l].trimStart(); s = lines.join('\n');
      }
    }
    return s;
  });

const templateText = fc.array(fc.constantFrom('{{', '}}', '{%', '%}', ' if ', ' for x in ', ' endif ', ' endfor ', 'inputs', '.', 'a', '[0]', '|', ' upper', '(', ')', "'", '"', '??', '???', '+', '~', ' and ', ' not ', ' is defined', '1', '2.5', ',', ':', '{', '}', ' ', '\n', 'range(1, 3)', 'date("yyyy")'), { maxLength: 30 }).map((a) => a.join(''));

describe(`fuzz (seed ${seed})`, () => {
  it('5,000 mutated flow documents: never a crash or hang; every error has a position', () => {
    let invalid = 0;
    fc.assert(
      fc.property(mutated, (source) => {
        const t = performance.now();
        const { errors } = loadFlow(source, 'fuzz.yml', registry);
        expect(performance.now() - t).toBeLessThan(2000);
        for (const e of errors) {
          expect(e.line).toBeGreaterThanOrEqual(1);
          expect(e.column).toBeGreaterThanOrEqual(1);
          expect(e.message.length).toBeGreaterThan(0);
        }
        if (errors.some((e) => e.severity === 'error')) invalid++;
      }),
      { numRuns: 5000, seed },
    );
    console.log(`[fuzz] 5000 flow documents (seed ${seed}): ${invalid} rejected with positioned errors, ${5000 - invalid} still valid`);
    expect(invalid).toBeGreaterThan(1000);
  }, 120_000);

  it('5,000 generated templates: only ExpressionErrors, each with a line and column', () => {
    let rejected = 0;
    fc.assert(
      fc.property(templateText, fc.jsonValue(), (template, value) => {
        const syntax = validateTemplate(template);
        if (syntax) {
          expect(syntax.line).toBeGreaterThanOrEqual(1);
          expect(syntax.column).toBeGreaterThanOrEqual(1);
        }
        try {
          render(template, { inputs: { a: value }, a: [value] });
        } catch (e) {
          rejected++;
          expect(e).toBeInstanceOf(ExpressionError);
          expect((e as ExpressionError).line).toBeGreaterThanOrEqual(1);
          expect((e as ExpressionError).column).toBeGreaterThanOrEqual(1);
        }
      }),
      { numRuns: 5000, seed },
    );
    console.log(`[fuzz] 5000 templates (seed ${seed}): ${rejected} rejected with an ExpressionError`);
  }, 120_000);
});
