// MQTT RealtimeTrigger: one execution per message. Unlike Kestra (acked when the listener returns,
// a clean session, no reconnect), the consumer keeps a persistent session (clean: false, a fixed
// clientId) so that messages published while it is away wait on the broker, and acknowledges each
// QoS 1/2 message only once its execution is committed. MQTT has no message identity (packet ids
// are reused), so a crash between the commit and the PUBACK can start one execution twice.
import type { IPublishPacket } from 'mqtt';
import { z } from 'zod';
import { decode, eventFor, type SerdeType } from '../common/serde';
import { p } from '../schema';
import type { TriggerDefinition } from '../types';
import { connectionProps, messageVariables, qosOf, serdeTypes, topicList, type ConnectionProps } from './connection';
import { openConsumer } from './consumer';
import { publishTestMessage } from './publish';

export interface MqttSubscribeProps extends ConnectionProps {
  topic: string | string[];
  serdeType: SerdeType;
  qos: number;
}

export const subscribeProps = {
  ...connectionProps,
  topic: p.stringOrList('The topic to consume, or a list of topics; + and # wildcards are allowed.'),
  serdeType: p.enum(serdeTypes, 'How to read the payload: JSON (default), STRING, or BYTES (base64 text).').default('JSON'),
  qos: p.int('The QoS of the subscription: 0 (at most once), 1 (at least once, default) or 2. With 1 and 2 a message is acknowledged only once its execution is committed.').default(1),
};

export const messageOutputs = {
  id: 'The MQTT packet identifier (0 for QoS 0; reused by the broker, so not an identity)',
  topic: 'The topic the message was published to',
  qos: 'The QoS the message was delivered with',
  properties: 'MQTT 5 publish properties (userProperties, contentType, messageExpiryInterval, …); empty with MQTT 3.1.1',
  payload: 'The payload, decoded as serdeType says (BYTES: base64 text)',
  retain: 'Whether the broker delivered it as a retained message',
  responseTopic: 'MQTT 5: the topic the publisher expects a reply on (or null)',
  correlationData: 'MQTT 5: the correlation data of a request, as base64 text (or null)',
};

export const mqttRealtimeTrigger: TriggerDefinition = {
  kind: 'trigger',
  mode: 'realtime',
  type: 'io.kestra.plugin.mqtt.RealtimeTrigger',
  title: 'MQTT (realtime)',
  description:
    'Starts one execution per message published to MQTT topics, within milliseconds. The broker keeps a persistent session for the clientId, so messages published while the trigger is stopped are delivered when it comes back (QoS 1 and 2), and each message is acknowledged only once its execution is committed. After a crash a message may start a second execution (MQTT gives messages no identity).',
  category: 'MQTT',
  icon: 'mqtt',
  props: z.object({
    ...subscribeProps,
    interval: p.duration('Polling only: ignored by the realtime trigger.').optional(),
    maxRecords: p.int('Polling only: ignored by the realtime trigger (one execution per message).').optional(),
    maxDuration: p.duration('Polling only: ignored by the realtime trigger.').optional(),
  }),
  outputs: messageOutputs,
  examples: [
    {
      title: 'One execution per sensor reading',
      code: `id: mqtt_realtime_trigger
namespace: company.team

tasks:
  - id: log
    type: io.kestra.plugin.core.log.Log
    message: "{{ trigger.topic }}: {{ trigger.payload }}"

triggers:
  - id: realtime_trigger
    type: io.kestra.plugin.mqtt.RealtimeTrigger
    server: tcp://localhost:1883
    clientId: peregrineSensors
    topic:
      - kestra/sensors/cpu
      - kestra/sensors/+/temperature
    serdeType: JSON`,
    },
    {
      title: 'Answer MQTT 5 requests on their response topic',
      code: `id: mqtt_reply
namespace: company.team

tasks:
  - id: reply
    type: io.kestra.plugin.mqtt.Publish
    server: tcp://localhost:1883
    clientId: peregrineReplier
    topic: "{{ trigger.responseTopic }}"
    correlationData: "{{ trigger.correlationData }}"
    serdeType: JSON
    from:
      answer: "{{ trigger.payload.question }} → 42"

triggers:
  - id: requests
    type: io.kestra.plugin.mqtt.RealtimeTrigger
    server: tcp://localhost:1883
    clientId: peregrineRequests
    topic: kestra/requests`,
    },
  ],
  async start(ctx, props: MqttSubscribeProps & { interval?: string; maxRecords?: number; maxDuration?: string }) {
    const topics = topicList(props.topic);
    const qos = qosOf(props.qos);
    const ignored = (['interval', 'maxRecords', 'maxDuration'] as const).filter((k) => props[k] !== undefined);
    if (ignored.length) ctx.logger.info(`${ignored.join(', ')}: polling properties, ignored by the realtime trigger (one execution per message)`);
    if (qos === 0) ctx.logger.warn('qos: 0 — messages are delivered at most once: the broker neither keeps them while the trigger is away nor redelivers them');

    const admit = async (topic: string, payload: Buffer, packet: IPublishPacket) => {
      await ctx.admit(eventFor(decode(payload, props.serdeType), 'payload', messageVariables(topic, packet)));
      return true;
    };
    /** Messages admitted on arrival and not committed yet (once committed, inFlight counts them). */
    let ahead = 0;
    const consumer = await openConsumer({
      ctx,
      props: { ...props, topics, qos },
      async onMessage(topic, payload, packet) {
        if (ctx.inFlight() >= ctx.maxInFlight) await ctx.waitForCapacity();
        if (ctx.signal.aborted) return false;
        return admit(topic, payload, packet);
      },
      // Admitted the moment it arrives, so a slow commit does not hold up the messages behind it.
      onArrival(topic, payload, packet) {
        if (ctx.inFlight() + ahead >= ctx.maxInFlight) return undefined;
        ahead++;
        return admit(topic, payload, packet).finally(() => ahead--);
      },
    });
    await consumer.subscribed;
    ctx.logger.info(`Subscribed to ${topics.join(', ')} on ${props.server} (MQTT ${consumer.protocolVersion === 5 ? '5' : '3.1.1'}, QoS ${qos}, clientId ${props.clientId})`);
    ctx.setState('RUNNING');
    // No backlog(): MQTT gives a client no way to see how many messages its session holds at the broker.
    return { stop: () => consumer.stop() };
  },

  async publish(ctx, props: MqttSubscribeProps, message) {
    await publishTestMessage(props, message, ctx.logger);
  },
};
