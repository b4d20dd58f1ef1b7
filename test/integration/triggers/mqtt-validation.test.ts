// Flows written for Kestra's MQTT plugin validate unchanged (our validator is strict), and so do
// the examples our own MQTT plugin definitions show.
import { describe, expect, it } from 'vitest';
import { createRegistry } from '../../../main/plugins';
import { mqttPlugins } from '../../../main/plugins/mqtt';
import { parseFlowSource } from '../../../main/runtime/workspace';

const registry = createRegistry();
const errorsOf = (source: string) => parseFlowSource(source, registry).errors.map((e) => `${e.line}:${e.column} ${e.message}`);

const KESTRA_FLOWS: Record<string, string> = {
  'RealtimeTrigger (docs)': `id: mqtt_realtime_trigger
namespace: company.team

tasks:
  - id: log
    type: io.kestra.plugin.core.log.Log
    message: "{{ trigger.payload }}"

triggers:
  - id: realtime_trigger
    type: io.kestra.plugin.mqtt.RealtimeTrigger
    server: tcp://localhost:1883
    clientId: kestraProducer
    topic:
      - kestra/sensors/cpu
      - kestra/sensors/mem
    serdeType: JSON
`,
  'RealtimeTrigger (older example: maxRecords, version)': `id: mqtt_realtime_old
namespace: company.team
tasks:
  - id: log
    type: io.kestra.plugin.core.log.Log
    message: "{{ trigger.payload }}"
triggers:
  - id: realtime_trigger
    type: io.kestra.plugin.mqtt.RealtimeTrigger
    version: V3
    server: tcp://localhost:1883
    clientId: kestraProducer
    topic:
      - kestra/sensors/cpu
    serdeType: JSON
    maxRecords: 10
    qos: 1
    connectionTimeout: PT10S
    username: "{{ secret('MQTT_USER') }}"
    password: "{{ secret('MQTT_PASSWORD') }}"
`,
  'Trigger (docs)': `id: mqtt_trigger
namespace: company.team

tasks:
  - id: log
    type: io.kestra.plugin.core.log.Log
    message: "{{ trigger.payload }}"

triggers:
  - id: trigger
    type: io.kestra.plugin.mqtt.Trigger
    server: tcp://localhost:1883
    clientId: kestraProducer
    topic:
      - kestra/sensors/cpu
      - kestra/sensors/mem
    serdeType: JSON
    maxRecords: 10
`,
  'Publish (docs: tcp, ssl, request/reply)': `id: mqtt_publish
namespace: company.team

tasks:
  - id: publish
    type: io.kestra.plugin.mqtt.Publish
    server: tcp://localhost:1883
    clientId: kestraProducer
    qos: 1
    topic: kestra/sensors/cpu
    serdeType: JSON
    retain: true
    from:
      type: "sensors"
      value: 1.23
  - id: publish_ssl
    type: io.kestra.plugin.mqtt.Publish
    server: ssl://localhost:8883
    clientId: kestraProducer
    qos: 2
    topic: kestra/sensors/cpu
    crt: "{{ secret('MQTT_CA_CERT') }}"
    serdeType: JSON
    retain: true
    from:
      type: "sensors"
      value: 1.23
  - id: request
    type: io.kestra.plugin.mqtt.Publish
    server: tcp://localhost:1883
    clientId: kestraRequester
    mqttVersion: V5
    topic: kestra/requests
    responseTopic: kestra/replies/{{ execution.id }}
    correlationData: "{{ execution.id | base64encode }}"
    serdeType: JSON
    httpsHostnameVerificationEnabled: false
    authMethod: SCRAM-SHA-1
    from:
      question: "what is the cpu load?"
`,
};

describe('MQTT flows validate unchanged', () => {
  for (const [name, source] of Object.entries(KESTRA_FLOWS)) {
    it(`Kestra's ${name}`, () => {
      expect(errorsOf(source)).toEqual([]);
    });
  }

  for (const def of mqttPlugins) {
    for (const example of def.examples ?? []) {
      it(`our example "${example.title}" (${def.type})`, () => {
        expect(errorsOf(example.code)).toEqual([]);
      });
    }
  }

  it('a misspelt or invalid property is an error', () => {
    const bad = KESTRA_FLOWS['Trigger (docs)'].replace('serdeType: JSON', 'serdeType: XML').replace('maxRecords: 10', 'maxRecord: 10');
    const errors = errorsOf(bad);
    expect(errors.some((e) => /serdeType/.test(e) || /XML/.test(e))).toBe(true);
    expect(errors.some((e) => /maxRecord/.test(e))).toBe(true);
  });

  it('every MQTT plugin documents itself', () => {
    expect(mqttPlugins.map((d) => d.type).sort()).toEqual(['io.kestra.plugin.mqtt.Publish', 'io.kestra.plugin.mqtt.RealtimeTrigger', 'io.kestra.plugin.mqtt.Trigger']);
    for (const d of mqttPlugins) {
      expect(d.title && d.description && d.category && d.icon).toBeTruthy();
      expect(Object.keys(d.outputs ?? {}).length).toBeGreaterThan(0);
      expect(d.examples?.length).toBeGreaterThan(0);
    }
    expect(Object.keys(mqttPlugins[0].outputs!)).toEqual(['id', 'topic', 'qos', 'properties', 'payload', 'retain', 'responseTopic', 'correlationData']);
  });
});
