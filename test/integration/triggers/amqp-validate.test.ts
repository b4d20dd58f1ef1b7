// The AMQP family validates flows written for Kestra unchanged, and its own examples; no broker needed.
import { describe, expect, it } from 'vitest';
import { z } from 'zod';
import { createRegistry } from '../../../main/plugins';
import { isoDuration, resolveConnection } from '../../../main/plugins/amqp/connection';
import { parseFlowSource } from '../../../main/runtime/workspace';

const registry = createRegistry();
const errorsOf = (source: string) => parseFlowSource(source, registry).errors.filter((e) => e.severity === 'error');

const TYPES = [
  'io.kestra.plugin.amqp.RealtimeTrigger', 'io.kestra.plugin.amqp.Trigger', 'io.kestra.plugin.amqp.Consume',
  'io.kestra.plugin.amqp.Publish', 'io.kestra.plugin.amqp.DeclareExchange', 'io.kestra.plugin.amqp.CreateQueue',
  'io.kestra.plugin.amqp.QueueBind',
];

// Examples from Kestra's plugin documentation, as a Kestra user has them.
const KESTRA_FLOWS = [
  `id: amqp
namespace: company.team
tasks:
  - id: log
    type: io.kestra.plugin.core.log.Log
    message: "{{ trigger.data }}"
triggers:
  - id: realtime_trigger
    type: io.kestra.plugin.amqp.RealtimeTrigger
    host: localhost
    port: 5672
    username: guest
    password: guest
    virtualHost: /my_vhost
    queue: amqpTrigger.queue`,
  `id: amqp
namespace: company.team
tasks:
  - id: log
    type: io.kestra.plugin.core.log.Log
    message: "{{ trigger.data }}"
triggers:
  - id: realtime_trigger
    type: io.kestra.plugin.amqp.RealtimeTrigger
    url: amqp://guest:guest@localhost:5672/my_vhost
    queue: amqpTrigger.queue
    consumerTag: Kestra
    autoAck: false
    serdeType: JSON`,
  `id: amqp_trigger
namespace: company.team
tasks:
  - id: log
    type: io.kestra.plugin.core.log.Log
    message: "{{ trigger.uri }} {{ trigger.count }}"
triggers:
  - id: trigger
    type: io.kestra.plugin.amqp.Trigger
    host: localhost
    port: 5672
    username: guest
    password: guest
    virtualHost: /my_vhost
    maxRecords: 2
    maxDuration: PT10S
    interval: PT30S
    queue: amqpTrigger.queue`,
  `id: amqp_publish
namespace: company.team
tasks:
  - id: publish
    type: io.kestra.plugin.amqp.Publish
    url: amqp://guest:guest@localhost:5672/my_vhost
    exchange: kestramqp.exchange
    from:
      - data: value-1
        headers:
            testHeader: KestraTest
        timestamp: '2023-01-09T08:46:33.103130753Z'
      - data: value-2
        timestamp: '2023-01-09T08:46:33.115456977Z'
        appId: unit-kestra`,
  `id: amqp_declare_exchange
namespace: company.team
tasks:
  - id: declare_exchange
    type: io.kestra.plugin.amqp.DeclareExchange
    url: amqp://guest:guest@localhost:5672/my_vhost
    name: kestramqp.exchange`,
  `id: amqp_create_queue
namespace: company.team
tasks:
  - id: create_queue
    type: io.kestra.plugin.amqp.CreateQueue
    host: localhost
    port: 5672
    username: guest
    password: guest
    virtualHost: /my_vhost
    name: kestramqp.queue`,
  `id: amqp_queue_bind
namespace: company.team
tasks:
  - id: queue_bind
    type: io.kestra.plugin.amqp.QueueBind
    host: localhost
    port: 5672
    username: guest
    password: guest
    virtualHost: /my_vhost
    exchange: kestramqp.exchange
    queue: kestramqp.queue`,
  `id: amqp_consume
namespace: company.team
tasks:
  - id: consume
    type: io.kestra.plugin.amqp.Consume
    url: amqp://guest:guest@localhost:5672/my_vhost
    queue: kestramqp.queue
    maxRecords: 1000`,
];

describe('AMQP plugin definitions', () => {
  it('registers every type with docs, outputs and examples that validate', () => {
    for (const type of TYPES) {
      const def = registry.get(type)!;
      expect(def, type).toBeDefined();
      expect(def.title && def.description && def.category === 'AMQP' && def.icon).toBeTruthy();
      expect(Object.keys(def.outputs ?? {}).length).toBeGreaterThan(0);
      expect(def.examples?.length).toBeGreaterThan(0);
      for (const ex of def.examples!) expect(errorsOf(ex.code), `${type}: ${ex.title}`).toEqual([]);
      expect(() => z.toJSONSchema(registry.schemaOf(def), { unrepresentable: 'any', io: 'input' })).not.toThrow();
    }
  });

  it("validates Kestra's documented flows unchanged", () => {
    for (const source of KESTRA_FLOWS) expect(errorsOf(source), source.split('\n')[0]).toEqual([]);
  });

  it('refuses a misspelt property', () => {
    const errors = errorsOf(KESTRA_FLOWS[0].replace('queue: amqpTrigger.queue', 'queu: amqpTrigger.queue'));
    expect(errors.length).toBeGreaterThan(0);
  });

  it('resolves connections as Kestra does (url xor host; url path is the virtual host as written)', () => {
    expect(resolveConnection({ host: 'h' }).options).toMatchObject({ hostname: 'h', port: 5672, username: 'guest', password: 'guest', vhost: '/' });
    expect(resolveConnection({ host: 'h', port: '5673', username: 'u', password: 'p', virtualHost: '/v' }).options)
      .toMatchObject({ port: 5673, username: 'u', password: 'p', vhost: '/v' });
    expect(resolveConnection({ url: 'amqp://u:p%40ss@h:5673/my_vhost' }).options)
      .toMatchObject({ hostname: 'h', port: 5673, username: 'u', password: 'p@ss', vhost: '/my_vhost' });
    expect(resolveConnection({ url: 'amqp://h' }).options).toMatchObject({ port: 5672, vhost: '/' });
    expect(resolveConnection({ url: 'amqps://h' }).options).toMatchObject({ protocol: 'amqps', port: 5671 });
    expect(() => resolveConnection({ url: 'amqp://h', host: 'h' })).toThrow(/either url or host/);
    expect(() => resolveConnection({})).toThrow(/host is required/);
    expect(() => resolveConnection({ url: 'http://h' })).toThrow(/amqp:\/\//);
  });

  it('prints durations as Java does', () => {
    expect([0, 1500, 60_000, 3_600_000, 3_661_000].map(isoDuration)).toEqual(['PT0S', 'PT1.5S', 'PT1M', 'PT1H', 'PT1H1M1S']);
  });
});
