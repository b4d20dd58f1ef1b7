// Public types of the test brokers (test/brokers/index.ts).

export const BROKER_NAMES = ['redis', 'rabbitmq', 'postgres', 'mosquitto', 'nats', 'kafka', 'sqs', 'pubsub'] as const;
export type BrokerName = (typeof BROKER_NAMES)[number];

export function isBrokerName(value: string): value is BrokerName {
  return (BROKER_NAMES as readonly string[]).includes(value);
}

/** Client settings per broker, shaped for the official Node client of each. */
export interface ConnectionMap {
  /** ioredis: `new Redis(connection)` */
  redis: { host: string; port: number };
  /** amqplib: `connect(url)` or `connect(connection)` */
  rabbitmq: { protocol: 'amqp'; hostname: string; port: number; username: string; password: string; vhost: string };
  /** pg: `new Client(connection)`; replication connections add `replication: 'database'` */
  postgres: { host: string; port: number; user: string; password: string; database: string };
  /** mqtt: `connect(url)` or `connect(connection)` */
  mosquitto: { host: string; port: number; protocol: 'mqtt' };
  /** nats: `connect(connection)` */
  nats: { servers: string[] };
  /** kafkajs: `new Kafka({ clientId, brokers: connection.brokers })` */
  kafka: { brokers: string[] };
  /** @aws-sdk/client-sqs: `new SQSClient(connection)` */
  sqs: { endpoint: string; region: string; credentials: { accessKeyId: string; secretAccessKey: string } };
  /**
   * @google-cloud/pubsub: `new PubSub(connection)`. With only env.PUBSUB_EMULATOR_HOST set, the
   * client also probes the GCE metadata server unless METADATA_SERVER_DETECTION=none (in env).
   */
  pubsub: { projectId: string; apiEndpoint: string; emulatorMode: true; universeDomain: string };
}

export interface StartOptions {
  /** Keep the temporary data folder when the broker stops (default false). */
  keepData?: boolean;
  /** Main client port; default: a free loopback port. */
  port?: number;
  /** How long to wait for readiness (default 120 s). */
  readyTimeoutMs?: number;
}

export interface StopOptions {
  /** Keep the data folder this time, whatever `StartOptions.keepData` said. */
  keepData?: boolean;
}

export interface BrokerHandle<N extends BrokerName = BrokerName> {
  readonly name: N;
  /** Always 127.0.0.1. */
  readonly host: string;
  /** Main client port (Redis, AMQP, PostgreSQL, MQTT, NATS, Kafka bootstrap, SQS HTTP, Pub/Sub gRPC). */
  readonly port: number;
  /** Every port the server holds, by role (e.g. kafka: client, controller). */
  readonly ports: Readonly<Record<string, number>>;
  /** A URL for the main port (redis://, amqp://user:pass@…, postgres://…, mqtt://, nats://, kafka://, http://). */
  readonly url: string;
  /** Environment variables a client or a Peregrine flow would use (REDIS_URL, PUBSUB_EMULATOR_HOST, …). */
  readonly env: Readonly<Record<string, string>>;
  /** Settings for the broker's official Node client. */
  readonly connection: ConnectionMap[N];
  readonly user?: string;
  readonly password?: string;
  readonly database?: string;
  /** The temporary folder holding data, configuration and the log. */
  readonly dataDir: string;
  /** Server output (stdout and stderr of every start, appended). */
  readonly logFile: string;
  /** Milliseconds from the last (re)start to readiness checked with the real client. */
  readonly readyMs: number;
  /** Process id of the running server (its process group leader), or undefined. */
  readonly pid: number | undefined;
  readonly running: boolean;
  /** Start again on the same data and ports (after kill() or stop({ keepData: true })). */
  start(): Promise<void>;
  /** Graceful stop; removes the data folder unless keepData. */
  stop(options?: StopOptions): Promise<void>;
  /** Graceful stop, then start on the same data and ports. */
  restart(): Promise<void>;
  /** SIGKILL the whole process group; data stays for start(). */
  kill(): Promise<void>;
  /** The log file's contents. */
  log(): string;
}
