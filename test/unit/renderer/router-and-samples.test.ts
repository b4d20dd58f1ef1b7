// The view registry, the command shortcuts, the samples and the palette's templates.
import { describe, expect, it } from 'vitest';
import { loadFlow } from '../../../main/flow';
import { matchPattern, registerView, resolveView, useRouter } from '../../../renderer/app/router';
import { SAMPLES, sampleSource } from '../../../renderer/features/workspace/samples';
import { templateFor, triggerTemplateFor } from '../../../renderer/features/plugins/store';
import { applyEdit } from '../../../renderer/features/editor/edits';
import { formatSource } from '../../../renderer/features/editor/format';
import { baseId } from '../../../renderer/features/palette/insert';
import { fakeEngine, registry } from './fake-engine';

const Nothing = () => null;

describe('router and view registry', () => {
  it('matches patterns and prefers literal ones', () => {
    expect(matchPattern('/flows/:namespace/:id', '/flows/company.team/orders')).toEqual({ namespace: 'company.team', id: 'orders' });
    expect(matchPattern('/flows/:namespace/:id', '/flows/a%2Fb/x%20y')).toEqual({ namespace: 'a/b', id: 'x y' });
    expect(matchPattern('/flows/:namespace/:id', '/flows/x')).toBeUndefined();
    const views = [
      { id: 'any', pattern: '/x/:id', component: Nothing },
      { id: 'literal', pattern: '/x/new', component: Nothing },
    ];
    expect(resolveView(views, '/x/new')?.view.id).toBe('literal');
    expect(resolveView(views, '/x/42')).toMatchObject({ view: { id: 'any' }, params: { id: '42' } });
  });

  it('lets a feature replace a view by registering the same id', () => {
    registerView({ id: 'execution-test', pattern: '/t/:id', component: Nothing, title: () => 'old' });
    registerView({ id: 'execution-test', pattern: '/t/:id', component: Nothing, title: () => 'new' });
    const mine = useRouter.getState().views.filter((v) => v.id === 'execution-test');
    expect(mine.length).toBe(1);
    expect(mine[0].title?.({})).toBe('new');
  });
});

describe('samples', () => {
  it('every sample is a valid flow for the engine, and formatting keeps its comments', () => {
    for (const s of SAMPLES) {
      const { flow, errors } = loadFlow(s.source, undefined, registry);
      expect(errors.filter((e) => e.severity === 'error'), s.id).toEqual([]);
      expect(flow?.id).toBeTruthy();
      const comments = s.source.split('\n').filter((l) => l.trim().startsWith('#'));
      const formatted = formatSource(s.source);
      for (const c of comments) expect(formatted).toContain(c.trim());
      expect(loadFlow(formatted, undefined, registry).errors.filter((e) => e.severity === 'error')).toEqual([]);
    }
  });

  it('gets an id nobody uses', () => {
    const taken = new Set(['company.team/hello_world', 'company.team/hello_world_2']);
    expect(sampleSource(SAMPLES[0], (ns, id) => taken.has(`${ns}/${id}`))).toMatch(/^id: hello_world_3$/m);
  });
});

describe('palette templates', () => {
  it('every task and trigger of the catalogue goes into a flow as valid YAML with its own type', async () => {
    const r = await fakeEngine().call('plugins.list', {});
    if (!r.ok) throw new Error(r.error.message);
    const base = 'id: t\nnamespace: company.team\ntasks:\n  - id: first\n    type: io.kestra.plugin.core.log.Log\n    message: hi\n';
    let valid = 0;
    for (const p of r.value) {
      const id = baseId(p.type);
      const t = p.kind === 'trigger' ? triggerTemplateFor(p, id) : templateFor(p, id);
      const edit = p.kind === 'trigger' ? { kind: 'addTrigger' as const, ...t } : { kind: 'insertTask' as const, at: { into: 'tasks' }, ...t };
      const out = applyEdit(base, edit).source;
      const { flow, errors } = loadFlow(out, undefined, registry);
      expect(flow, p.type).toBeTruthy();
      const placed = p.kind === 'trigger' ? flow!.triggers![0] : flow!.tasks[1];
      expect([p.type, ...p.aliases], p.type).toContain(placed.type);
      expect(placed.id).toBe(id);
      if (!errors.some((e) => e.severity === 'error')) valid++;
    }
    // Plugins with an example (or no required property) come in ready to run.
    expect(valid).toBeGreaterThan(r.value.length * 0.7);
  });
});
