// A consumer on a persistent MQTT session (clean: false, a fixed clientId), shared by the realtime
// and polling triggers. Messages are handed over one at a time, in order; a QoS 1 message is
// acknowledged (PUBACK; PUBREC for QoS 2) only once `onMessage` has resolved true. Until then mqtt.js
// reads no further packet, so a slow or full consumer pushes back on the broker, which keeps the
// rest queued in our session (its own in-flight window), and nothing is buffered here.
// With `onArrival`, a QoS 1 message's work starts as soon as its bytes arrive (read off the socket
// by a second parser), so it does not wait for the messages ahead of it; its PUBACK still goes in order.
import type { IConnackPacket, IPublishPacket, MqttClient } from 'mqtt';
import mqttPacket from 'mqtt-packet';
import type { TriggerContext } from '../types';
import { closeClient, lostConnectionError, openClient, topicMatches, type ConnectionProps } from './connection';

export interface ConsumerProps extends ConnectionProps {
  topics: string[];
  qos: 0 | 1 | 2;
}

export interface ConsumerOptions {
  ctx: TriggerContext;
  props: ConsumerProps;
  /** Resolve true once the message is safely ours (admitted, spooled): only then is it acked. False leaves it unacked. */
  onMessage(topic: string, payload: Buffer, packet: IPublishPacket): Promise<boolean>;
  /**
   * Optional: a QoS 1 message on one of our topics, as soon as its bytes arrive. What it returns
   * (a promise, or undefined to leave the message to onMessage) stands for onMessage's answer when
   * mqtt.js reaches the message; a message started here is acked even if the consumer is stopping.
   */
  onArrival?(topic: string, payload: Buffer, packet: IPublishPacket): Promise<boolean> | undefined;
}

export interface Consumer {
  client: MqttClient;
  protocolVersion: 4 | 5;
  /** Resolves once every wanted subscription is in place. */
  subscribed: Promise<void>;
  /** Stops reading, lets the message being handled finish (and be acked), then closes. */
  stop(): Promise<void>;
}

/** What we subscribed on the broker's session, kept in the trigger state across restarts. */
interface SessionState { server: string; clientId: string; topics: string[]; qos: number }

/**
 * Messages started on arrival and not yet acked, at most. MQTT gives a message no identity: one
 * committed whose PUBACK a crash cuts off runs twice, so the look-ahead is bounded — at 1,000
 * messages/s, 3 left the p99 at 10 ms (a slow commit's backlog drains one commit at a time), 8
 * brings it to 4 ms; a SIGKILL can then repeat up to this many messages more than before.
 */
export const MAX_AHEAD = 8;

/** How often the keepalive is pushed back while the consumer waits for room (no packet is read meanwhile). */
const HOLD_PING_MS = 5000;

export async function openConsumer(opts: ConsumerOptions): Promise<Consumer> {
  const { ctx, props } = opts;
  let current: Promise<void> = Promise.resolve();
  let stopping = false;
  let lastError: Error | undefined;
  let disconnectReason: number | undefined;
  let staleWarned = false;
  let clientRef: MqttClient | undefined;
  /** QoS 1 messages started by onArrival, by packet id, until mqtt.js hands them over. */
  const started = new Map<number, Promise<boolean>>();

  const handle = (topic: string, payload: Buffer, packet: IPublishPacket, ack: () => void) => {
    const ahead = packet.qos === 1 ? started.get(packet.messageId!) : undefined;
    if (ahead) started.delete(packet.messageId!);
    const work = ahead ?? (async () => {
      if (stopping || ctx.signal.aborted) return false;
      if (!props.topics.some((f) => topicMatches(f, topic))) {
        // Left from an earlier definition of this trigger (the broker session still had the old subscription).
        if (!staleWarned) ctx.logger.warn(`Ignoring messages on ${topic}: it matches none of the topics of this trigger (an old subscription of clientId ${props.clientId} is being removed)`);
        staleWarned = true;
        return true;
      }
      // Hold the keepalive while we wait: no packet (PINGRESP included) is read until this message is done.
      const hold = setInterval(() => clientRef?.reschedulePing(true), HOLD_PING_MS);
      try {
        return await opts.onMessage(topic, payload, packet);
      } finally {
        clearInterval(hold);
      }
    })();
    current = work.then(
      (ok) => {
        if (ok) ack();
      },
      (e) => {
        if (!stopping && !ctx.signal.aborted) ctx.fail(e);
      },
    );
  };

  const opened = await openClient(props, {
    clean: false,
    logger: ctx.logger,
    signal: ctx.signal,
    setup(client) {
      clientRef = client;
      const onArrival = opts.onArrival;
      if (onArrival) {
        watchPublishes(client, (packet) => {
          const topic = packet.topic.toString();
          // Topic aliases are resolved by mqtt.js alone: such a message waits for onMessage.
          if (stopping || ctx.signal.aborted || packet.qos !== 1 || !topic || started.has(packet.messageId!) || started.size >= MAX_AHEAD) return;
          if (!props.topics.some((f) => topicMatches(f, topic))) return;
          const work = onArrival(topic, Buffer.from(packet.payload as Buffer), packet);
          if (!work) return;
          work.catch(() => {}); // awaited (and reported) when mqtt.js reaches the message
          started.set(packet.messageId!, work);
        });
      }
      // QoS 1 and 2: the ack is sent when this callback's `done` is called (MQTT 3.1.1 too: we set the option after construction).
      client.options.customHandleAcks = (topic, message, packet, done) => handle(topic, message, packet, () => done(0));
      // QoS 0 has no ack, but holding the callback still stops the reading.
      client.handleMessage = (packet, callback) => {
        if (packet.qos === 0) handle(packet.topic.toString(), Buffer.from(packet.payload as Buffer), packet, () => callback());
        else callback();
      };
    },
  });
  const { client, connack, protocolVersion } = opened;
  const onError = (e: Error) => (lastError = e);
  const onDisconnect = (packet: { reasonCode?: number }) => (disconnectReason = packet.reasonCode);
  const onClose = () => {
    if (!stopping) ctx.fail(lostConnectionError(props.server, lastError, disconnectReason, props.clientId));
  };
  client.on('error', onError);
  client.on('disconnect', onDisconnect);
  client.on('close', onClose);

  const stop = async () => {
    if (stopping) return;
    stopping = true;
    client.off('close', onClose);
    // Messages already started (committed or committing) are acked as mqtt.js reaches them.
    const deadline = Date.now() + 2000;
    while (started.size && Date.now() < deadline) await new Promise((r) => setTimeout(r, 5));
    await Promise.race([current, new Promise((r) => setTimeout(r, Math.max(0, deadline - Date.now())))]);
    await closeClient(client);
  };

  const subscribed = syncSubscriptions(client, connack, protocolVersion, ctx, props).catch(async (e) => {
    await stop();
    throw e;
  });
  return { client, protocolVersion, subscribed, stop };
}

/**
 * Brings the session's subscriptions in line with the trigger: a session the broker kept needs no
 * new SUBSCRIBE (which would also replay retained messages), only the changes since last time.
 */
async function syncSubscriptions(client: MqttClient, connack: IConnackPacket, version: 4 | 5, ctx: TriggerContext, props: ConsumerProps): Promise<void> {
  const { namespace, id: flowId } = ctx.flow;
  const triggerId = ctx.trigger.id;
  const prev = ctx.services.triggerState.get<{ mqtt?: SessionState }>(namespace, flowId, triggerId)?.mqtt;
  const same = prev && prev.server === props.server && prev.clientId === props.clientId;
  let toSubscribe = props.topics;
  if (connack.sessionPresent && same) {
    const stale = prev.topics.filter((t) => !props.topics.includes(t));
    if (stale.length) {
      ctx.logger.info(`Unsubscribing from ${stale.join(', ')} (no longer in the trigger)`);
      await client.unsubscribeAsync(stale);
    }
    if (prev.qos === props.qos) toSubscribe = props.topics.filter((t) => !prev.topics.includes(t));
  } else if (same && !connack.sessionPresent) {
    ctx.logger.warn(`The MQTT broker had no session for clientId ${props.clientId} any more (expired, or the broker lost it): messages published while the trigger was away may not have been kept`);
  }
  if (toSubscribe.length) {
    const map: Record<string, { qos: 0 | 1 | 2; rh?: number }> = {};
    for (const t of toSubscribe) map[t] = version === 5 ? { qos: props.qos, rh: 1 } : { qos: props.qos };
    const granted = await client.subscribeAsync(map);
    const refused = granted.filter((g) => g.qos === 128 || (g as { reasonCode?: number }).reasonCode! >= 128);
    if (refused.length) throw new Error(`the MQTT broker refused the subscription to ${refused.map((g) => g.topic).join(', ')} (not authorized, or an invalid topic filter)`);
    const lower = granted.filter((g) => g.qos < props.qos);
    if (lower.length) ctx.logger.warn(`The broker granted a lower QoS than ${props.qos} for ${lower.map((g) => `${g.topic} (QoS ${g.qos})`).join(', ')}`);
  }
  ctx.services.triggerState.set(namespace, flowId, triggerId, { mqtt: { server: props.server, clientId: props.clientId, topics: props.topics, qos: props.qos } });
}

/**
 * Reads the PUBLISH packets off the client's socket as its bytes arrive, alongside mqtt.js (which
 * handles one message at a time). The socket exists, unread, right after mqtt.connect(). Our
 * listener goes first: mqtt.js may reach the chunk's first message synchronously, and must find it started.
 */
function watchPublishes(client: MqttClient, onPublish: (packet: IPublishPacket) => void): void {
  const stream = client.stream as NodeJS.ReadableStream | undefined;
  if (!stream) return;
  const parser = mqttPacket.parser({ protocolVersion: client.options.protocolVersion ?? 4 });
  const feed = (chunk: Buffer) => parser.parse(chunk);
  parser.on('packet', (packet) => {
    if (packet.cmd === 'publish') onPublish(packet as IPublishPacket);
  });
  // A packet this parser cannot read is mqtt.js's to report: the look-ahead just stops.
  parser.on('error', () => stream.removeListener('data', feed));
  stream.prependListener('data', feed);
}
