// MQTT polling Trigger: every interval, connects on the trigger's persistent session, collects the
// messages waiting there (up to maxRecords, for at most maxDuration), and starts one execution with
// all of them in a file. MQTT acknowledges messages one by one and in order, so each message is
// first appended to a spool file in the data folder (which survives a crash of the process) and
// acked after that; the spool becomes the batch, admitted under the spool's id as dedup key, and
// is deleted only after the commit. A crash at any point loses nothing and admits no batch twice.
import crypto from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import { z } from 'zod';
import { decode } from '../common/serde';
import { admitBatch, batchLimits, pollEvery, pollingProps, type PollingProps } from '../common/polling';
import type { TriggerContext, TriggerDefinition } from '../types';
import { messageVariables, qosOf, topicList } from './connection';
import { openConsumer } from './consumer';
import { publishTestMessage } from './publish';
import { subscribeProps, type MqttSubscribeProps } from './realtime-trigger';

/** Without maxDuration, a poll ends once no message came for this long (the session's backlog is drained). */
const QUIET_MS = 500;

export const mqttTrigger: TriggerDefinition = {
  kind: 'trigger',
  mode: 'polling',
  type: 'io.kestra.plugin.mqtt.Trigger',
  title: 'MQTT (polling)',
  description:
    'Every interval, collects the messages waiting on MQTT topics and starts one execution with all of them in a file (trigger.uri, one JSON object per line). The broker keeps a persistent session for the clientId between polls, so nothing published in between is missed (QoS 1 and 2). A poll ends at maxRecords, after maxDuration, or — without maxDuration — once no message arrived for half a second.',
  category: 'MQTT',
  icon: 'mqtt',
  props: z.object({ ...subscribeProps, ...pollingProps }),
  outputs: {
    uri: 'The batch file in internal storage: one JSON object per line, each with id, topic, qos, properties, payload, retain, responseTopic and correlationData',
    messagesCount: 'How many messages the file holds',
  },
  examples: [
    {
      title: 'A batch of sensor readings every minute',
      code: `id: mqtt_trigger
namespace: company.team

tasks:
  - id: log
    type: io.kestra.plugin.core.log.Log
    message: "{{ trigger.messagesCount }} readings in {{ trigger.uri }}"

triggers:
  - id: trigger
    type: io.kestra.plugin.mqtt.Trigger
    server: tcp://localhost:1883
    clientId: peregrineSensorBatches
    topic:
      - kestra/sensors/cpu
      - kestra/sensors/mem
    serdeType: JSON
    interval: PT1M
    maxRecords: 1000`,
    },
  ],
  async start(ctx, props: MqttSubscribeProps & PollingProps) {
    const topics = topicList(props.topic);
    const qos = qosOf(props.qos);
    if (qos === 0) ctx.logger.warn('qos: 0 — the broker does not keep messages for the session between polls: most will be missed');
    const dir = spoolDir(ctx);
    fs.mkdirSync(dir, { recursive: true });
    const outputs = (uri: string, messagesCount: number) => ({ uri, messagesCount });

    /** Admits what earlier polls spooled but did not get committed (a crash, a stop mid-poll). */
    const admitLeftovers = async () => {
      for (const name of fs.readdirSync(dir).filter((n) => n.endsWith('.jsonl')).sort()) {
        const file = path.join(dir, name);
        const records = readSpool(file);
        if (records.length) {
          const r = await admitBatch(ctx, records, outputs, `mqtt-spool:${name}`);
          ctx.logger.info(`Admitted ${records.length} spooled message(s) left by an earlier poll${r.duplicate ? ' (already admitted before)' : ''}`);
        }
        fs.rmSync(file, { force: true });
      }
    };

    const handle = pollEvery(ctx, props, async () => {
      await admitLeftovers();
      await ctx.waitForCapacity();
      if (ctx.signal.aborted) return;
      const { maxRecords, deadline } = batchLimits(props);
      const name = `${Date.now()}-${crypto.randomBytes(6).toString('hex')}.jsonl`;
      const file = path.join(dir, name);
      const fd = fs.openSync(file, 'a');
      const records: unknown[] = [];
      let lastAt = Date.now();
      let wake: (() => void) | undefined;
      let fdOpen = true;
      const full = () => records.length >= maxRecords;
      let consumer: Awaited<ReturnType<typeof openConsumer>> | undefined;
      try {
        consumer = await openConsumer({
          ctx,
          props: { ...props, topics, qos },
          async onMessage(topic, payload, packet) {
            if (full() || !fdOpen) return false; // stays unacked on the broker for the next poll
            const d = decode(payload, props.serdeType);
            const record = { ...messageVariables(topic, packet), ...(d.ok ? { payload: d.value } : { payload: null, error: d.reason, raw: d.raw }) };
            fs.writeSync(fd, JSON.stringify(record) + '\n'); // in the OS before the ack: survives a crash of this process
            records.push(record);
            lastAt = Date.now();
            wake?.();
            return true;
          },
        });
        await consumer.subscribed;
        lastAt = Date.now();
        // Collect until full, past maxDuration, or (without maxDuration) quiet for a moment.
        while (!full() && !ctx.signal.aborted) {
          const now = Date.now();
          if (now >= deadline) break;
          if (deadline === Number.POSITIVE_INFINITY && now - lastAt >= QUIET_MS) break;
          const target = deadline === Number.POSITIVE_INFINITY ? lastAt + QUIET_MS : deadline;
          await new Promise<void>((resolve) => {
            const t = setTimeout(resolve, Math.max(1, Math.min(target - now, 250)));
            wake = () => {
              clearTimeout(t);
              resolve();
            };
          });
          wake = undefined;
        }
      } finally {
        fdOpen = false;
        await consumer?.stop();
        fs.closeSync(fd);
      }
      if (ctx.signal.aborted) return; // the spool is admitted by the next start
      if (records.length) await admitBatch(ctx, records, outputs, `mqtt-spool:${name}`);
      fs.rmSync(file, { force: true });
    });
    return { stop: () => handle.stop() };
  },

  async publish(ctx, props: MqttSubscribeProps & PollingProps, message) {
    await publishTestMessage(props, message, ctx.logger);
  },
};

function spoolDir(ctx: TriggerContext): string {
  const safe = (s: string) => s.replace(/[^a-zA-Z0-9_.-]/g, '_');
  return path.join(ctx.services.dataDir, 'mqtt-spool', safe(ctx.flow.namespace), safe(ctx.flow.id), safe(ctx.trigger.id));
}

/** Reads a spool file; a torn last line (the process died mid-write, so it was never acked) is skipped. */
function readSpool(file: string): unknown[] {
  const out: unknown[] = [];
  for (const line of fs.readFileSync(file, 'utf8').split('\n')) {
    if (!line) continue;
    try {
      out.push(JSON.parse(line));
    } catch {
      // never acked: the broker delivers it again
    }
  }
  return out;
}
