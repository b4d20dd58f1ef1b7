// The valid fixtures against the real plugin registry, once main/plugins/index.ts exists.
import { existsSync, readdirSync } from 'node:fs';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { describe, expect, it } from 'vitest';
import { flowJsonSchema, flowToGraph, loadFlow } from '../../../main/flow';
import type { PluginRegistry } from '../../../main/plugins/registry';
import { fixture, FIXTURES } from './helpers';

const INDEX = fileURLToPath(new URL('../../../main/plugins/index.ts', import.meta.url));
const present = existsSync(INDEX);

describe.skipIf(!present)('valid fixtures with the real registry (main/plugins/index.ts)', async () => {
  const registry: PluginRegistry = present ? (await import(/* @vite-ignore */ pathToFileURL(INDEX).href)).createRegistry() : undefined!;
  const files = readdirSync(`${FIXTURES}valid`).filter((f) => f.endsWith('.yaml'));

  for (const file of files) {
    it(file, () => {
      const result = loadFlow(fixture(`valid/${file}`), file, registry);
      // A type the real registry does not have yet (e.g. a trigger still being written) is the only
      // error tolerated; everything it does have must validate.
      const missing = (m: string) => /^unknown (task|trigger) type |is a Kestra plugin that Peregrine does not run locally/.test(m);
      const errors = result.errors.filter((e) => e.severity === 'error' && !(e.path.endsWith('.type') && missing(e.message)));
      expect(errors).toEqual([]);
      for (const e of result.errors.filter((x) => x.severity === 'error' && missing(x.message))) {
        const type = (e.message.match(/io\.kestra\.[\w.]+/) ?? [''])[0];
        expect(registry.get(type), `${type} is registered but reported unknown`).toBeUndefined();
      }
    });
  }

  it('builds the JSON Schema and graphs with every real plugin', () => {
    const schema = flowJsonSchema(registry);
    expect(schema.$defs.task.anyOf.length).toBe(registry.all().filter((d) => d.kind === 'task').length);
    expect(JSON.parse(JSON.stringify(schema))).toEqual(schema);
    for (const file of files) expect(flowToGraph(loadFlow(fixture(`valid/${file}`), file, registry).flow!, registry).nodes.length).toBeGreaterThan(2);
  });
});
