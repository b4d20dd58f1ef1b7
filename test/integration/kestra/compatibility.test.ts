// Kestra compatibility with the real plugin registry:
//  - every gallery flow (assets/flows) validates;
//  - the realtime-trigger examples of Kestra's plugin documentation (test/fixtures/kestra, each
//    with its source noted) validate; those whose task plugins Kestra has and Peregrine does not
//    are reported "not supported locally", never as typos;
//  - every one of them is accepted by the fake Kestra server's checks.
// A flow whose trigger family is still being built here (AMQP, MQTT, Kafka, SQS, Pub/Sub,
// PostgreSQL CDC, NATS) SKIPS with the missing plugin named, so the test tightens by itself as
// the families land; anything else that is not registered fails.
import fs from 'node:fs';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { formatError, loadFlow, type FlowError } from '../../../main/flow';
import { deployFlows, listGallery } from '../../../main/kestra';
import { createRegistry } from '../../../main/plugins';
import { startFakeKestra, type FakeKestra } from '../../kestra/fake-server';

const registry = createRegistry();
const ROOT = path.resolve(import.meta.dirname, '../../..');
const FIXTURES = path.join(ROOT, 'test/fixtures/kestra');

/** Families other engineers are still adding: a missing type there skips instead of failing. */
const FAMILIES_IN_PROGRESS = [
  /^io\.kestra\.plugin\.amqp\./, /^io\.kestra\.plugin\.mqtt\./, /^io\.kestra\.plugin\.kafka\./, /^io\.kestra\.plugin\.aws\.sqs\./,
  /^io\.kestra\.plugin\.gcp\.pubsub\./, /^io\.kestra\.plugin\.debezium\.postgres\./, /^io\.kestra\.plugin\.jdbc\.postgresql\./,
  /^io\.kestra\.plugin\.nats\./,
];

/** The Kestra docs' examples, by file, with the Kestra task plugins Peregrine is known not to run. */
const DOC_EXAMPLES: Record<string, string[]> = {
  'kafka.yml': [],
  'kafka-to-mongodb.yml': ['io.kestra.plugin.mongodb.InsertOne'],
  'amqp.yml': [],
  'amqp-url.yml': [],
  'aws-sqs.yml': [],
  'aws-sqs-to-dynamodb.yml': ['io.kestra.plugin.aws.dynamodb.PutItem'],
  'sqs-realtime-trigger.yml': [],
  'gcp-pubsub.yml': [],
  'gcp-pubsub-to-firestore.yml': ['io.kestra.plugin.gcp.firestore.Set'],
  'redis-list.yml': [],
  'debezium-postgres.yml': [],
  'mqtt.yml': [],
  'nats.yml': [],
  'nats-legacy-type.yml': [],
};

const typeOf = (source: string, e: FlowError) => {
  const line = source.split('\n')[e.line - 1] ?? '';
  return /type:\s*["']?([\w.$]+)/.exec(line)?.[1] ?? '';
};

/**
 * Validates; fails on any error except (a) the expected "not supported locally" plugins and
 * (b) types of families still being built, which are returned so the caller can skip.
 */
function check(file: string, source: string, notSupported: string[] = []): { pending: string[] } {
  const { errors } = loadFlow(source, file, registry);
  const hard = errors.filter((e) => e.severity === 'error');
  const pending: string[] = [];
  const unexpected: string[] = [];
  for (const e of hard) {
    const type = e.path.endsWith('.type') ? typeOf(source, e) : '';
    if (type && notSupported.includes(type) && e.code === 'UNSUPPORTED_PLUGIN') continue;
    if (type && !registry.get(type) && FAMILIES_IN_PROGRESS.some((re) => re.test(type))) pending.push(type);
    else unexpected.push(formatError(e));
  }
  expect(unexpected).toEqual([]);
  for (const t of notSupported) {
    expect(hard.some((e) => e.code === 'UNSUPPORTED_PLUGIN' && e.message.startsWith(`${t} is a Kestra plugin that Peregrine does not run locally`)), `${t} reported as not supported locally`).toBe(true);
  }
  return { pending: [...new Set(pending)] };
}

let kestra: FakeKestra;
beforeAll(async () => {
  kestra = await startFakeKestra({ extraTypes: Object.values(DOC_EXAMPLES).flat() });
});
afterAll(async () => kestra?.stop());

describe('gallery flows (assets/flows)', () => {
  const gallery = listGallery(path.join(ROOT, 'assets/flows'));

  it('has one sample per real-time use case, each with a header saying how to feed it', () => {
    const names = gallery.map((g) => g.name);
    for (const n of ['fraud-detection-kafka', 'order-processing-sqs', 'realtime-prediction-redis', 'stock-price-alert-mqtt', 'shipping-notification-amqp', 'cdc-sync-postgres-kafka']) {
      expect(names).toContain(n);
    }
    for (const g of gallery.filter((x) => names.includes(x.name) && x.name !== 'realtime-prediction-python')) {
      expect(g.title, g.name).not.toBe(g.id);
      expect(g.description, g.name).not.toBe('');
      expect(g.brokers.length, g.name).toBeGreaterThan(0);
      if (g.feed.length) expect(g.feed.join('\n'), g.name).toMatch(/npm run brokers -- up /);
    }
    const ids = gallery.map((g) => `${g.namespace}.${g.id}`);
    expect(new Set(ids).size).toBe(ids.length);
  });

  for (const g of gallery) {
    it(`${g.name}.yml validates`, (ctx) => {
      const { pending } = check(`${g.name}.yml`, g.source);
      if (pending.length) ctx.skip(`plugin(s) not registered yet: ${pending.join(', ')}`);
    });
  }

  it('every gallery flow is accepted by the fake Kestra server (validated, then created)', async () => {
    const report = await deployFlows(gallery.map((g) => ({ label: `${g.name}.yml`, source: g.source })), { server: kestra.url });
    expect(report.results.filter((r) => r.action !== 'created').map((r) => `${r.label}: ${r.errors.join('; ')}`)).toEqual([]);
  });
});

describe("realtime-trigger examples from Kestra's plugin documentation (test/fixtures/kestra)", () => {
  for (const [file, notSupported] of Object.entries(DOC_EXAMPLES)) {
    const source = fs.readFileSync(path.join(FIXTURES, file), 'utf8');
    it(`${file} validates${notSupported.length ? ` (${notSupported.join(', ')}: not supported locally)` : ''}`, (ctx) => {
      expect(source, `${file} names its source`).toMatch(/^# Source: Kestra (plugin )?documentation[\s\S]*https:\/\/kestra\.io\//);
      const { pending } = check(file, source, notSupported);
      if (pending.length) ctx.skip(`plugin(s) not registered yet: ${pending.join(', ')}`);
    });
  }

  it("the Redis page's own spelling, io.kestra.plugin.redis.RealtimeTrigger, points to the type that exists", () => {
    const source = fs.readFileSync(path.join(FIXTURES, 'redis-list.yml'), 'utf8').replace('type: io.kestra.plugin.redis.list.RealtimeTrigger', 'type: io.kestra.plugin.redis.RealtimeTrigger');
    const { errors } = loadFlow(source, 'redis-list.yml', registry);
    expect(errors).toHaveLength(1);
    expect(errors[0]).toMatchObject({ path: 'triggers[0].type', severity: 'error' });
    expect(errors[0].message).toMatch(/^io\.kestra\.plugin\.redis\.RealtimeTrigger is a Kestra plugin that Peregrine does not run locally \(.*from io\.kestra\.plugin\.redis it runs list\.RealtimeTrigger, list\.Trigger/);
  });

  it('an unsupported Kestra plugin is reported with what Peregrine runs from the same plugin', () => {
    const source = 'id: a\nnamespace: company.team\ntasks:\n  - id: c\n    type: io.kestra.plugin.redis.string.Increment\n    url: redis://localhost\n    key: k\n';
    const [e] = loadFlow(source, 'a.yml', registry).errors;
    expect(e).toMatchObject({ code: 'UNSUPPORTED_PLUGIN', path: 'tasks[0].type' });
    expect(e.message).toMatch(/^io\.kestra\.plugin\.redis\.string\.Increment is a Kestra plugin that Peregrine does not run locally \(Peregrine runs \d+ task types; from io\.kestra\.plugin\.redis it runs list\.ListPush, string\.Get, string\.Set\)$/);
  });

  it('every example is accepted by the fake Kestra server', async () => {
    const files = Object.keys(DOC_EXAMPLES);
    const report = await deployFlows(files.map((f) => ({ label: f, source: fs.readFileSync(path.join(FIXTURES, f), 'utf8') })), { server: kestra.url, namespace: 'docs.examples' });
    // Several examples share an id (amqp, nats): one of each is sent.
    const failed = report.results.filter((r) => r.action === 'failed' && !r.errors[0].includes('is also defined by'));
    expect(failed.map((r) => `${r.label}: ${r.errors.join('; ')}`)).toEqual([]);
  });
});
