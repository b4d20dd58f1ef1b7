// One kafkajs consumer for a trigger: connect, subscribe, join the group, apply `since`, and report
// RUNNING only once the first fetch has run (offsets resolved). Auto-commit is off: the triggers
// commit offset+1 themselves, after admission. A crash (broker gone, retries exhausted) is handed to
// the supervisor, which backs off and starts a fresh consumer; kafkajs never restarts on its own.
import type { Consumer, EachBatchPayload, Kafka } from 'kafkajs';
import type { TriggerContext } from '../types';
import { clientSettings, createKafka, plainKafkaError, reportSettings, within, type ClientSettings } from './client';
import { onlyPartitions, reportConsumerProps, sinceOffsets, subscriptionOf, type ConsumerProps, type Subscription } from './consumer';

/** What a trigger's batch handler may use; ready before the first batch arrives. */
export interface ConsumerIO {
  consumer: Consumer;
  settings: ClientSettings;
  subscription: Subscription;
  /** Topics assigned to this member (for pause / resume). */
  assignedTopics(): string[];
  /** Commits "next offset" for each partition; resolves once the broker has them. */
  commit(offsets: TopicOffset[]): Promise<void>;
}

export interface ConsumerSession extends ConsumerIO {
  /**
   * Records readable (up to the last stable offset) but not committed, over the partitions assigned
   * to this member; partitions the group never committed are left out (their start is not known).
   * 0 while commits are still moving (records skipped by headerFilters are progress too).
   */
  backlog(): Promise<number>;
  /** Test only: stops fetching the assigned topics (kafkajs pause) while staying in the group, heartbeating. */
  stallForTest(): void;
  /** The resumeAt offsets that were ahead of the group, hence applied (to be committed by the caller). */
  resumed: TopicOffset[];
  stop(): Promise<void>;
}

/** A consumer that committed this recently is moving, whatever the broker's offsets say. */
const PROGRESS_MS = 5000;

export interface TopicOffset { topic: string; partition: number; offset: string }

/** The offsets of `wanted` that are ahead of what the group has committed ("topic/partition" → offset). */
async function aheadOfGroup(kafka: Kafka, groupId: string, wanted: TopicOffset[]): Promise<Map<string, string>> {
  const out = new Map<string, string>();
  if (!wanted.length) return out;
  const admin = kafka.admin();
  await admin.connect();
  try {
    const topics = [...new Set(wanted.map((w) => w.topic))];
    const committed = new Map<string, bigint>();
    for (const { topic, partitions } of await admin.fetchOffsets({ groupId, topics })) {
      for (const q of partitions) committed.set(`${topic}/${q.partition}`, BigInt(q.offset));
    }
    for (const w of wanted) {
      const key = `${w.topic}/${w.partition}`;
      if (BigInt(w.offset) > (committed.get(key) ?? -1n)) out.set(key, w.offset);
    }
    return out;
  } finally {
    await admin.disconnect().catch(() => {});
  }
}

export function clientIdOf(ctx: Pick<TriggerContext, 'flow' | 'trigger'>): string {
  return `peregrine-${ctx.flow.namespace}.${ctx.flow.id}.${ctx.trigger.id}`;
}

/**
 * Opens the consumer and waits until it is consuming. Throws a plain error (the supervisor backs
 * off); resolves undefined when the trigger was stopped while starting.
 */
export async function openConsumer(
  ctx: TriggerContext,
  props: ConsumerProps,
  handler: (io: ConsumerIO) => (payload: EachBatchPayload) => Promise<void>,
  /** Offsets known to be admitted but maybe not committed (a crash in between): start there if the group is behind. */
  resumeAt: TopicOffset[] = [],
): Promise<ConsumerSession | undefined> {
  const subscription = subscriptionOf(props);
  const settings = clientSettings(props.properties, clientIdOf(ctx));
  reportSettings(settings, ctx.logger);
  reportConsumerProps(props, settings, ctx.logger);
  const brokers = settings.brokers;
  const kafka = createKafka(settings, ctx.logger);

  let seeks = new Map<string, string>();
  let resumed: TopicOffset[] = [];
  try {
    if (props.since) seeks = await sinceOffsets(kafka, props.groupId, subscription, props.since, ctx.logger);
    const ahead = await aheadOfGroup(kafka, props.groupId, resumeAt);
    for (const [k, v] of ahead) seeks.set(k, v);
    resumed = resumeAt.filter((r) => ahead.get(`${r.topic}/${r.partition}`) === r.offset);
  } catch (e) {
    throw /since must be/.test((e as Error).message) ? e : plainKafkaError(e, brokers);
  }

  const consumer = kafka.consumer({
    groupId: props.groupId,
    ...settings.consumer.config,
    ...(subscription.partitions ? { partitionAssigners: [onlyPartitions(subscription.partitions)] } : {}),
  });
  let assigned: Record<string, number[]> = {};
  let lastCommitAt = 0;
  let started = false;
  let crash: Error | undefined;
  let onCrash: (() => void) | undefined;
  let onFetch: (() => void) | undefined;
  const crashed = new Promise<void>((resolve) => (onCrash = resolve));
  const fetched = new Promise<void>((resolve) => (onFetch = resolve));

  consumer.on(consumer.events.GROUP_JOIN, (event) => {
    assigned = event.payload.memberAssignment ?? {};
    const parts = Object.entries(assigned).map(([t, ps]) => `${t}[${ps.join(',')}]`).join(' ');
    if (parts) ctx.logger.debug(`Joined consumer group ${props.groupId}: ${parts}`);
    else ctx.logger.warn(`Joined consumer group ${props.groupId} but no partition was assigned (other members hold them all, or partitions lists none that exists)`);
    for (const [topic, partitions] of Object.entries(assigned)) {
      for (const partition of partitions) {
        const offset = seeks.get(`${topic}/${partition}`);
        if (offset !== undefined) consumer.seek({ topic, partition, offset });
      }
    }
  });
  consumer.on(consumer.events.FETCH, () => onFetch?.());
  const failWith = (err: Error) => {
    if (started) ctx.fail(err);
    else {
      crash = err;
      onCrash?.();
    }
  };
  consumer.on(consumer.events.CRASH, (event) => failWith(plainKafkaError(event.payload.error, brokers)));
  // kafkajs keeps a connection whose request timed out and retries on it: on a dead (black-holed)
  // link every retry times out too, for minutes, while the trigger looks RUNNING. Start afresh.
  consumer.on(consumer.events.REQUEST_TIMEOUT, ({ payload }) => {
    const seconds = Math.round((settings.kafka.requestTimeout ?? 30_000) / 1000);
    failWith(new Error(`Kafka at ${payload.broker} did not answer a ${payload.apiName} request within ${seconds} s (request.timeout.ms): the connection is dropped and opened again`));
  });

  const close = async () => {
    await consumer.disconnect().catch(() => {});
  };
  const io: ConsumerIO = {
    consumer,
    settings,
    subscription,
    assignedTopics: () => Object.keys(assigned),
    async commit(offsets) {
      if (!offsets.length) return;
      await consumer.commitOffsets(offsets);
      lastCommitAt = Date.now();
      for (const { topic, partition } of offsets) seeks.delete(`${topic}/${partition}`);
    },
  };
  const eachBatch = handler(io);
  try {
    await consumer.connect();
    const names = subscription.topics.filter((t): t is string => typeof t === 'string');
    if (names.length !== subscription.topics.length) {
      // topicPattern: only topics that exist now are matched (a new topic is picked up at the next start).
      const admin = kafka.admin();
      await admin.connect();
      const all = await admin.listTopics().finally(() => admin.disconnect().catch(() => {}));
      const matched = all.filter((n) => !n.startsWith('__') && subscription.topics.some((t) => t instanceof RegExp && t.test(n)));
      if (!matched.length) throw new Error(`no topic matches topicPattern ${props.topicPattern} yet`);
      ctx.logger.info(`topicPattern ${props.topicPattern} matches: ${matched.join(', ')}`);
      await consumer.subscribe({ topics: matched, fromBeginning: settings.consumer.fromBeginning });
    } else {
      await consumer.subscribe({ topics: names, fromBeginning: settings.consumer.fromBeginning });
    }
  } catch (e) {
    await close();
    throw /^no topic matches/.test((e as Error).message) ? e : plainKafkaError(e, brokers);
  }

  const { sessionTimeout = 10_000, rebalanceTimeout = 10_000 } = settings.consumer.config;
  const joinBudget = sessionTimeout + rebalanceTimeout + 15_000;
  try {
    const ready = (async () => {
      await consumer.run({ autoCommit: false, eachBatchAutoResolve: false, partitionsConsumedConcurrently: 1, eachBatch });
      if (crash) throw crash;
      await Promise.race([fetched, crashed]);
      if (crash) throw crash;
      return true;
    })();
    ready.catch(() => {}); // observed below; never an unhandled rejection after a timeout
    const ok = await within(ready, joinBudget, `joining consumer group ${props.groupId}`, ctx.signal);
    if (!ok) {
      await close();
      return undefined;
    }
  } catch (e) {
    await close();
    throw e === crash || /took longer than/.test(String((e as Error)?.message)) ? e : plainKafkaError(e, brokers);
  }
  started = true;
  ctx.logger.info(`Consuming ${subscription.text} as group ${props.groupId}`);
  ctx.setState('RUNNING');

  const backlog = async () => {
    const topics = Object.keys(assigned);
    if (!topics.length || Date.now() - lastCommitAt < PROGRESS_MS) return 0;
    const admin = kafka.admin();
    await admin.connect();
    try {
      const committed = new Map<string, bigint>();
      for (const { topic, partitions } of await admin.fetchOffsets({ groupId: props.groupId, topics })) {
        for (const q of partitions) committed.set(`${topic}/${q.partition}`, BigInt(q.offset));
      }
      let waiting = 0n;
      for (const topic of topics) {
        for (const { partition, offset } of await admin.fetchTopicOffsets(topic)) {
          const done = committed.get(`${topic}/${partition}`) ?? -1n;
          if (!assigned[topic]?.includes(partition) || done < 0n) continue;
          const end = BigInt(offset);
          if (end > done) waiting += end - done;
        }
      }
      return Number(waiting);
    } finally {
      await admin.disconnect().catch(() => {});
    }
  };
  const stallForTest = () => consumer.pause(Object.keys(assigned).map((topic) => ({ topic })));
  return { ...io, resumed, backlog, stallForTest, stop: close };
}
