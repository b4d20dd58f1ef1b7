// Sample flows to start from ("New flow"): one per use case, Kestra-compatible as written.
export interface Sample {
  id: string;
  title: string;
  description: string;
  icon: string;
  source: string;
}

export const SAMPLES: Sample[] = [
  {
    id: 'hello',
    title: 'Hello, world',
    description: 'An input, a log line and a returned value. Run it by hand.',
    icon: 'scroll-text',
    source: `id: hello_world
namespace: company.team
description: Says hello to whoever you name.

inputs:
  - id: name
    type: STRING
    defaults: World

tasks:
  # Greet first
  - id: hello
    type: io.kestra.plugin.core.log.Log
    message: Hello {{ inputs.name }}!

  - id: done
    type: io.kestra.plugin.core.debug.Return
    format: "greeted {{ inputs.name }}"
`,
  },
  {
    id: 'webhook',
    title: 'Webhook → HTTP',
    description: 'One execution per POST; forwards the body to an API.',
    icon: 'webhook',
    source: `id: order_webhook
namespace: company.team
description: Receives orders on a webhook and forwards them.

tasks:
  - id: log_order
    type: io.kestra.plugin.core.log.Log
    message: "Order {{ trigger.body.id ?? 'unknown' }} received"

  - id: forward
    type: io.kestra.plugin.core.http.Request
    uri: https://api.example.com/orders
    method: POST
    body: "{{ trigger.body }}"

triggers:
  # POST /api/v1/executions/webhook/company.team/order_webhook/order-key
  - id: orders
    type: io.kestra.plugin.core.trigger.Webhook
    key: order-key
`,
  },
  {
    id: 'kafka',
    title: 'Kafka, realtime',
    description: 'One execution per Kafka record, within milliseconds.',
    icon: 'kafka',
    source: `id: kafka_orders
namespace: company.team
description: One execution per order placed on a Kafka topic.

tasks:
  - id: log
    type: io.kestra.plugin.core.log.Log
    message: "Order {{ trigger.value }} (partition {{ trigger.partition }}, offset {{ trigger.offset }})"

triggers:
  - id: orders
    type: io.kestra.plugin.kafka.RealtimeTrigger
    topic: orders
    groupId: peregrine-orders
    valueDeserializer: JSON
    properties:
      bootstrap.servers: localhost:9092
`,
  },
  {
    id: 'branching',
    title: 'Branches and handlers',
    description: 'If, Switch and Parallel, with errors and finally.',
    icon: 'git-branch',
    source: `id: order_routing
namespace: company.team
description: Routes an order by amount and kind.

inputs:
  - id: amount
    type: INT
    defaults: 120
  - id: kind
    type: SELECT
    values: [ORDER, REFUND]
    defaults: ORDER

tasks:
  - id: check
    type: io.kestra.plugin.core.flow.If
    condition: "{{ inputs.amount > 100 }}"
    then:
      - id: big
        type: io.kestra.plugin.core.log.Log
        message: Big order ({{ inputs.amount }})
    else:
      - id: small
        type: io.kestra.plugin.core.log.Log
        message: Small order

  - id: route
    type: io.kestra.plugin.core.flow.Switch
    value: "{{ inputs.kind }}"
    cases:
      ORDER:
        - id: ship
          type: io.kestra.plugin.core.log.Log
          message: shipping
      REFUND:
        - id: refund
          type: io.kestra.plugin.core.log.Log
          message: refunding

  - id: notify
    type: io.kestra.plugin.core.flow.Parallel
    tasks:
      - id: email
        type: io.kestra.plugin.core.log.Log
        message: email sent
      - id: sms
        type: io.kestra.plugin.core.log.Log
        message: sms sent

errors:
  - id: alert
    type: io.kestra.plugin.core.log.Log
    level: ERROR
    message: "Execution {{ execution.id }} failed"

finally:
  - id: cleanup
    type: io.kestra.plugin.core.log.Log
    message: cleaning up
`,
  },
  {
    id: 'schedule',
    title: 'Every five minutes',
    description: 'A schedule trigger and a KV store counter.',
    icon: 'clock',
    source: `id: heartbeat
namespace: company.team

tasks:
  - id: beat
    type: io.kestra.plugin.core.log.Log
    message: "tick at {{ trigger.date ?? execution.startDate }}"

triggers:
  - id: every_5_minutes
    type: io.kestra.plugin.core.trigger.Schedule
    cron: "*/5 * * * *"
`,
  },
];

/** A sample's text with a flow id nobody uses yet in its namespace. */
export function sampleSource(sample: Sample, taken: (namespace: string, id: string) => boolean): string {
  const ns = /^namespace:\s*(\S+)/m.exec(sample.source)?.[1] ?? 'company.team';
  const base = /^id:\s*(\S+)/m.exec(sample.source)?.[1] ?? sample.id;
  let id = base;
  for (let n = 2; taken(ns, id); n++) id = `${base}_${n}`;
  return sample.source.replace(/^id:.*$/m, `id: ${id}`);
}
