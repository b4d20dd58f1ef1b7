// Kafka clients for the Kafka plugins (kafkajs). Kestra's `properties` are Java client settings;
// this file maps the ones the Node client understands (brokers, TLS, SASL, timeouts, fetch and
// producer tuning) and reports the rest as ignored. Clients fail fast: the trigger supervisor owns
// reconnection and backoff.
import { Kafka, logLevel, type ConsumerConfig, type KafkaConfig, type LogEntry, type ProducerConfig, type SASLOptions } from 'kafkajs';
import type { ConnectionOptions } from 'node:tls';
import type { Logger } from '../types';

export type KafkaProperties = Record<string, unknown>;

/** Consumer settings derived from `properties`, with low-latency defaults for an idle topic. */
export interface ConsumerSettings {
  config: Omit<ConsumerConfig, 'groupId'>;
  /** auto.offset.reset=earliest */
  fromBeginning: boolean;
  /** max.poll.records: the most records admitted in one commit. */
  maxPollRecords: number;
  /** group.id given in properties (Kestra lets it stand in for groupId). */
  groupId?: string;
}

export interface ProducerSettings {
  config: ProducerConfig;
  acks: number;
  /** compression.type=gzip is the only codec kafkajs ships. */
  gzip: boolean;
}

export interface ClientSettings {
  brokers: string[];
  kafka: KafkaConfig;
  consumer: ConsumerSettings;
  producer: ProducerSettings;
  /** Properties accepted (they are valid Java client settings) but not used by the Node client. */
  ignored: string[];
  /** Plain-words notes about properties whose meaning differs here. */
  notes: string[];
}

/** Java settings that only make sense for the Java client (serde classes, JMX, buffers …): accepted quietly. */
const JAVA_ONLY = new Set([
  'key.deserializer', 'value.deserializer', 'key.serializer', 'value.serializer', 'partition.assignment.strategy',
  'interceptor.classes', 'metric.reporters', 'metrics.num.samples', 'metrics.recording.level', 'metrics.sample.window.ms',
  'send.buffer.bytes', 'receive.buffer.bytes', 'reconnect.backoff.ms', 'reconnect.backoff.max.ms', 'retry.backoff.max.ms',
  'connections.max.idle.ms', 'check.crcs', 'exclude.internal.topics', 'linger.ms', 'batch.size', 'buffer.memory',
  'max.block.ms', 'delivery.timeout.ms', 'auto.commit.interval.ms', 'group.instance.id', 'client.dns.lookup',
  'default.api.timeout.ms', 'socket.connection.setup.timeout.max.ms', 'ssl.protocol', 'ssl.enabled.protocols',
  'ssl.keymanager.algorithm', 'ssl.trustmanager.algorithm', 'ssl.secure.random.implementation', 'ssl.provider',
  'ssl.cipher.suites', 'sasl.kerberos.service.name', 'sasl.login.callback.handler.class', 'sasl.client.callback.handler.class',
  'partitioner.class', 'max.request.size', 'schema.registry.url', 'basic.auth.credentials.source', 'basic.auth.user.info',
]);

const num = (v: unknown): number | undefined => {
  if (v === undefined || v === null || v === '') return undefined;
  const n = Number(v);
  return Number.isFinite(n) ? n : undefined;
};

/** "a:1, PLAINTEXT://b:2" → ["a:1", "b:2"] */
export function parseBootstrap(value: unknown): string[] {
  return String(value ?? '')
    .split(',')
    .map((s) => s.trim().replace(/^[A-Z_]+:\/\//i, ''))
    .filter(Boolean);
}

/** username and password out of a PlainLoginModule / ScramLoginModule JAAS line. */
export function parseJaas(jaas: string): { username?: string; password?: string; module?: string } {
  const module = /([\w.$]+LoginModule)/.exec(jaas)?.[1];
  const field = (name: string) => {
    const m = new RegExp(`\\b${name}\\s*=\\s*(?:"((?:[^"\\\\]|\\\\.)*)"|'((?:[^'\\\\]|\\\\.)*)'|([^\\s;]+))`).exec(jaas);
    if (!m) return undefined;
    return (m[1] ?? m[2] ?? m[3]).replace(/\\(.)/g, '$1');
  };
  return { username: field('username'), password: field('password'), module };
}

const pem = (v: unknown) => String(v).replace(/\\n/g, '\n');

/**
 * Maps Kestra's `properties` (Java client settings) to kafkajs. Throws with a plain message for a
 * setting that cannot work here (no bootstrap.servers, an unsupported SASL mechanism).
 */
export function clientSettings(properties: KafkaProperties | undefined, clientId: string): ClientSettings {
  const props = Object.fromEntries(Object.entries(properties ?? {}).map(([k, v]) => [k.trim(), v]));
  const used = new Set<string>();
  const get = (k: string): unknown => {
    if (k in props) used.add(k);
    return props[k];
  };
  const ignored: string[] = [];
  const notes: string[] = [];

  const brokers = parseBootstrap(get('bootstrap.servers'));
  if (!brokers.length) throw new Error('properties."bootstrap.servers" is required (e.g. localhost:9092)');

  // Security: PLAINTEXT, SSL, SASL_PLAINTEXT, SASL_SSL.
  const protocol = String(get('security.protocol') ?? 'PLAINTEXT').toUpperCase();
  if (!['PLAINTEXT', 'SSL', 'SASL_PLAINTEXT', 'SASL_SSL'].includes(protocol)) {
    throw new Error(`properties."security.protocol" must be PLAINTEXT, SSL, SASL_PLAINTEXT or SASL_SSL (got ${protocol})`);
  }
  let ssl: ConnectionOptions | boolean | undefined;
  if (protocol === 'SSL' || protocol === 'SASL_SSL') ssl = tlsOptions(get, notes);
  else for (const k of Object.keys(props)) if (k.startsWith('ssl.')) ignored.push(k);

  let sasl: SASLOptions | undefined;
  if (protocol.startsWith('SASL_')) {
    const mechanism = String(get('sasl.mechanism') ?? 'GSSAPI').toUpperCase();
    const jaas = get('sasl.jaas.config');
    const creds = typeof jaas === 'string' ? parseJaas(jaas) : {};
    const username = creds.username ?? '';
    const password = creds.password ?? '';
    if (mechanism === 'PLAIN') sasl = { mechanism: 'plain', username, password };
    else if (mechanism === 'SCRAM-SHA-256') sasl = { mechanism: 'scram-sha-256', username, password };
    else if (mechanism === 'SCRAM-SHA-512') sasl = { mechanism: 'scram-sha-512', username, password };
    else {
      throw new Error(
        `properties."sasl.mechanism" ${mechanism} is not supported locally yet (PLAIN, SCRAM-SHA-256 and SCRAM-SHA-512 are)` +
          (mechanism === 'GSSAPI' ? '; set sasl.mechanism explicitly — Java defaults it to GSSAPI (Kerberos)' : ''),
      );
    }
    if (typeof jaas !== 'string' || !creds.username) {
      throw new Error('properties."sasl.jaas.config" must hold username="…" password="…" (PlainLoginModule or ScramLoginModule)');
    }
  } else {
    for (const k of ['sasl.mechanism', 'sasl.jaas.config']) if (k in props) ignored.push(k);
  }

  const requestTimeout = num(get('request.timeout.ms'));
  const connectionTimeout = num(get('socket.connection.setup.timeout.ms'));
  const retryBackoff = num(get('retry.backoff.ms'));
  const retries = num(get('retries'));
  const kafka: KafkaConfig = {
    clientId: String(get('client.id') ?? clientId),
    brokers,
    ...(ssl !== undefined ? { ssl } : {}),
    ...(sasl ? { sasl } : {}),
    connectionTimeout: connectionTimeout ?? 3000,
    authenticationTimeout: 5000,
    requestTimeout: requestTimeout ?? 30_000,
    enforceRequestTimeout: true,
    // Fail fast (about 3 s of retries) and let the supervisor back off and restart.
    retry: { retries: Math.min(retries ?? 5, 8), initialRetryTime: retryBackoff ?? 100, maxRetryTime: 2000 },
  };

  // Consumer.
  const sessionTimeout = num(get('session.timeout.ms')) ?? 6000; // the broker's minimum: a crashed member is replaced quickly
  const heartbeatInterval = num(get('heartbeat.interval.ms')) ?? Math.max(100, Math.min(1000, Math.floor(sessionTimeout / 3)));
  const reset = String(get('auto.offset.reset') ?? 'latest').toLowerCase();
  if (reset === 'none') notes.push('auto.offset.reset=none is treated as latest (the Node client has no "none")');
  const autoCommit = get('enable.auto.commit');
  if (autoCommit !== undefined && String(autoCommit) === 'true') {
    notes.push('enable.auto.commit is ignored: offsets are committed only after the execution is admitted');
  }
  const isolation = String(get('isolation.level') ?? 'read_committed').toLowerCase();
  const groupIdProp = get('group.id');
  const consumer: ConsumerSettings = {
    config: {
      sessionTimeout,
      heartbeatInterval,
      rebalanceTimeout: num(get('max.poll.interval.ms')) ?? Math.max(sessionTimeout, 10_000),
      // Long poll: the broker answers as soon as one byte is there, so an idle topic delivers in
      // milliseconds; the wait only bounds how often an idle consumer asks.
      maxWaitTimeInMs: num(get('fetch.max.wait.ms')) ?? 100,
      minBytes: num(get('fetch.min.bytes')) ?? 1,
      maxBytes: num(get('fetch.max.bytes')) ?? 10 * 1024 * 1024,
      maxBytesPerPartition: num(get('max.partition.fetch.bytes')) ?? 1024 * 1024,
      readUncommitted: isolation === 'read_uncommitted',
      allowAutoTopicCreation: String(get('allow.auto.create.topics') ?? 'true') !== 'false',
      ...(get('client.rack') !== undefined ? { rackId: String(get('client.rack')) } : {}),
      ...(num(get('metadata.max.age.ms')) !== undefined ? { metadataMaxAge: num(get('metadata.max.age.ms')) } : {}),
      retry: { ...kafka.retry, restartOnFailure: async () => false },
    },
    fromBeginning: reset === 'earliest',
    maxPollRecords: Math.max(1, num(get('max.poll.records')) ?? 500),
    ...(groupIdProp !== undefined ? { groupId: String(groupIdProp) } : {}),
  };
  // Producer.
  const acksText = String(get('acks') ?? 'all').toLowerCase();
  const acks = acksText === 'all' || acksText === '-1' ? -1 : Number(acksText) === 0 ? 0 : 1;
  const compression = String(get('compression.type') ?? 'none').toLowerCase();
  if (!['none', 'gzip'].includes(compression)) notes.push(`compression.type=${compression} is not available here; messages are sent uncompressed`);
  const txId = get('transactional.id');
  const producer: ProducerSettings = {
    config: {
      allowAutoTopicCreation: true,
      idempotent: String(get('enable.idempotence') ?? 'false') === 'true',
      ...(txId !== undefined ? { transactionalId: String(txId) } : {}),
      ...(num(get('transaction.timeout.ms')) !== undefined ? { transactionTimeout: num(get('transaction.timeout.ms')) } : {}),
      ...(num(get('max.in.flight.requests.per.connection')) !== undefined
        ? { maxInFlightRequests: num(get('max.in.flight.requests.per.connection')) }
        : {}),
      retry: kafka.retry,
    },
    acks,
    gzip: compression === 'gzip',
  };

  for (const k of Object.keys(props)) {
    if (used.has(k) || ignored.includes(k)) continue;
    ignored.push(k);
  }
  return { brokers, kafka, consumer, producer, ignored, notes };
}

/** TLS options from the ssl.* settings the Node client can take (PEM, or a PKCS12 keystore). */
function tlsOptions(get: (k: string) => unknown, notes: string[]): ConnectionOptions | boolean {
  const opts: ConnectionOptions = {};
  const truststoreType = String(get('ssl.truststore.type') ?? 'JKS').toUpperCase();
  const trustPem = get('ssl.truststore.certificates');
  const trustLocation = get('ssl.truststore.location');
  get('ssl.truststore.password');
  if (trustPem !== undefined) opts.ca = [pem(trustPem)];
  else if (trustLocation !== undefined) {
    const bytes = decodeBase64(String(trustLocation));
    const text = bytes?.toString('utf8') ?? String(trustLocation);
    if (truststoreType === 'PEM' || text.includes('-----BEGIN CERTIFICATE-----')) opts.ca = [text.includes('-----BEGIN') ? text : String(trustLocation)];
    else notes.push(`ssl.truststore.location (${truststoreType}) cannot be read here: give the CA as PEM in ssl.truststore.certificates (with ssl.truststore.type: PEM)`);
  }
  const keystoreType = String(get('ssl.keystore.type') ?? 'JKS').toUpperCase();
  const chain = get('ssl.keystore.certificate.chain');
  const key = get('ssl.keystore.key');
  const keyPassword = get('ssl.key.password');
  const keystorePassword = get('ssl.keystore.password');
  const keystoreLocation = get('ssl.keystore.location');
  if (chain !== undefined) opts.cert = pem(chain);
  if (key !== undefined) opts.key = pem(key);
  if (keyPassword !== undefined) opts.passphrase = String(keyPassword);
  if (keystoreLocation !== undefined && key === undefined) {
    if (keystoreType === 'PKCS12') {
      const bytes = decodeBase64(String(keystoreLocation));
      if (bytes) {
        opts.pfx = bytes;
        if (keystorePassword !== undefined) opts.passphrase = String(keystorePassword);
      } else notes.push('ssl.keystore.location must be the base64-encoded PKCS12 keystore');
    } else {
      notes.push(`ssl.keystore.location (${keystoreType}) cannot be read here: use ssl.keystore.type: PKCS12, or PEM with ssl.keystore.certificate.chain and ssl.keystore.key`);
    }
  }
  const identification = get('ssl.endpoint.identification.algorithm');
  if (identification !== undefined && String(identification).trim() === '') opts.checkServerIdentity = () => undefined;
  return Object.keys(opts).length ? opts : true;
}

function decodeBase64(text: string): Buffer | undefined {
  const clean = text.replace(/\s+/g, '');
  if (!/^[A-Za-z0-9+/]+={0,2}$/.test(clean)) return undefined;
  return Buffer.from(clean, 'base64');
}

/** Logs what the properties do here that a Kestra user might not expect. */
export function reportSettings(settings: ClientSettings, logger: Logger): void {
  for (const n of settings.notes) logger.warn(n);
  const ignored = settings.ignored.filter((k) => !JAVA_ONLY.has(k));
  if (ignored.length) logger.info(`Kafka properties not used by the Node client (ignored): ${ignored.join(', ')}`);
}

/** A kafkajs client whose own logs go, quietly (WARN and above, repeats folded), to our logger. */
export function createKafka(settings: ClientSettings, logger: Logger): Kafka {
  return new Kafka({ ...settings.kafka, logLevel: logLevel.WARN, logCreator: bridgeLogger(logger) });
}

/** kafkajs messages that the trigger's own error already says in plain words: kept at DEBUG. */
const RESTATED = /^(Connection error|Connection timeout|Failed to connect to seed broker|Crash: |Restarting the consumer|Response SaslHandshake|Response SaslAuthenticate|Caught error when disconnecting)/;

function bridgeLogger(logger: Logger) {
  const seen = new Map<string, number>();
  return () => (entry: LogEntry) => {
    if (entry.level > logLevel.WARN) return;
    const text = `kafka ${entry.namespace ? `[${entry.namespace}] ` : ''}${entry.log.message}`;
    const now = Date.now();
    const last = seen.get(text);
    if (last !== undefined && now - last < 10_000) return;
    if (seen.size > 200) seen.clear();
    seen.set(text, now);
    if (RESTATED.test(entry.log.message)) logger.debug(text);
    else logger.warn(text);
  };
}

/** Turns a kafkajs error (often wrapped in retry errors) into words a person understands. */
export function plainKafkaError(e: unknown, brokers: string[]): Error {
  const chain: any[] = [];
  for (let cur: any = e; cur && chain.length < 10; cur = cur.cause ?? cur.originalError) chain.push(cur);
  const where = brokers.join(',');
  const withCode = chain.find((c) => typeof c?.code === 'string');
  const innermost = chain[chain.length - 1];
  const detail = String(innermost?.message ?? e);
  const code = withCode?.code as string | undefined;
  let text: string;
  if (code === 'ECONNREFUSED') text = `cannot reach Kafka at ${where}: connection refused (ECONNREFUSED) — is the broker running?`;
  else if (code === 'ENOTFOUND' || code === 'EAI_AGAIN') text = `cannot reach Kafka at ${where}: host not found — check bootstrap.servers`;
  else if (code === 'ETIMEDOUT' || /Connection timeout/i.test(detail)) text = `cannot reach Kafka at ${where}: the connection timed out`;
  else if (chain.some((c) => /SASL|authenticat/i.test(String(c?.message)) || c?.type === 'SASL_AUTHENTICATION_FAILED')) {
    text = `Kafka refused the credentials (SASL authentication failed) — check sasl.mechanism and the username/password in sasl.jaas.config`;
  } else if (chain.some((c) => /AUTHORIZATION_FAILED/.test(String(c?.type)))) {
    text = `Kafka refused access (${chain.find((c) => /AUTHORIZATION_FAILED/.test(String(c?.type))).type}) — check the ACLs of this user`;
  } else if (chain.some((c) => c?.name === 'KafkaJSConnectionClosedError' || /Connection error|Closed connection/i.test(String(c?.message)))) {
    text = `lost the connection to Kafka at ${where}`;
  } else text = `Kafka error: ${detail}`;
  if (!text.includes(detail) && detail && !/^Kafka error/.test(text)) text += ` (${detail})`;
  const err = new Error(text);
  (err as Error & { cause?: unknown }).cause = e;
  return err;
}

/** Resolves when `promise` settles, `signal` aborts (undefined) or the timeout passes (throws). */
export async function within<T>(promise: Promise<T>, ms: number, what: string, signal?: AbortSignal): Promise<T | undefined> {
  let timer: NodeJS.Timeout | undefined;
  let onAbort: (() => void) | undefined;
  try {
    return await Promise.race([
      promise,
      new Promise<never>((_, reject) => {
        timer = setTimeout(() => reject(new Error(`${what} took longer than ${Math.round(ms / 1000)} s`)), ms);
      }),
      new Promise<undefined>((resolve) => {
        if (!signal) return;
        if (signal.aborted) return resolve(undefined);
        onAbort = () => resolve(undefined);
        signal.addEventListener('abort', onAbort, { once: true });
      }),
    ]);
  } finally {
    clearTimeout(timer);
    if (onAbort) signal?.removeEventListener('abort', onAbort);
  }
}
