// Apache Kafka 4 in KRaft mode, one node that is both broker and controller, from the jars
// install.sh copied from Maven Central. Logs (log4j2) go to stdout, hence to the log file.
import { randomBytes } from 'node:crypto';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { jarDir } from '../paths';
import { runToCompletion } from '../process';
import type { ServerContext, ServerDef } from '../server';
import { classpath, java, jvmOptions } from './java';

const file = (ctx: ServerContext, name: string) => join(ctx.dir, name);

function serverProperties(ctx: ServerContext): string {
  const { client, controller, proxied, proxy } = ctx.ports;
  const props: Record<string, string | number> = {
    'process.roles': 'broker,controller',
    'node.id': 1,
    'controller.quorum.voters': `1@${ctx.host}:${controller}`,
    // PROXIED advertises the `proxy` port: a client that bootstraps through a TCP proxy listening
    // there (the fault tests) stays behind the proxy instead of being redirected to `client`.
    listeners: `PLAINTEXT://${ctx.host}:${client},CONTROLLER://${ctx.host}:${controller},PROXIED://${ctx.host}:${proxied}`,
    'advertised.listeners': `PLAINTEXT://${ctx.host}:${client},PROXIED://${ctx.host}:${proxy}`,
    'controller.listener.names': 'CONTROLLER',
    'inter.broker.listener.name': 'PLAINTEXT',
    'listener.security.protocol.map': 'CONTROLLER:PLAINTEXT,PLAINTEXT:PLAINTEXT,PROXIED:PLAINTEXT',
    'log.dirs': file(ctx, 'kraft-logs'),
    'num.partitions': 1,
    'default.replication.factor': 1,
    'min.insync.replicas': 1,
    'auto.create.topics.enable': 'true',
    'offsets.topic.replication.factor': 1,
    'offsets.topic.num.partitions': 1,
    'transaction.state.log.replication.factor': 1,
    'transaction.state.log.min.isr': 1,
    'transaction.state.log.num.partitions': 1,
    'share.coordinator.state.topic.replication.factor': 1,
    'share.coordinator.state.topic.min.isr': 1,
    'share.coordinator.state.topic.num.partitions': 1,
    'group.initial.rebalance.delay.ms': 0,
    // After kill(), the new process cannot register until the old registration's session
    // expires (default 9 s): keep that short. Broker and controller share the JVM.
    'broker.heartbeat.interval.ms': 500,
    'broker.session.timeout.ms': 3000,
    'num.network.threads': 2,
    'num.io.threads': 2,
    'num.recovery.threads.per.data.dir': 1,
    'log.segment.bytes': 16 * 1024 * 1024,
  };
  return Object.entries(props).map(([k, v]) => `${k}=${v}`).join('\n') + '\n';
}

const LOG4J2 = `
status = warn
appender.out.type = Console
appender.out.name = STDOUT
appender.out.target = SYSTEM_OUT
appender.out.layout.type = PatternLayout
appender.out.layout.pattern = [%d] %p %m (%c)%n
rootLogger.level = INFO
rootLogger.appenderRef.out.ref = STDOUT
logger.controller.name = kafka.controller
logger.controller.level = INFO
logger.state.name = state.change.logger
logger.state.level = WARN
logger.request.name = kafka.request.logger
logger.request.level = WARN
logger.config.name = org.apache.kafka.common.config
logger.config.level = WARN
`;

function javaArgs(ctx: ServerContext, main: string, args: string[]): string[] {
  return [
    ...jvmOptions(),
    `-Dlog4j2.configurationFile=${file(ctx, 'log4j2.properties')}`,
    `-Dkafka.logs.dir=${file(ctx, 'logs')}`,
    '-cp', classpath(jarDir('kafka')!),
    main, ...args,
  ];
}

/**
 * A random KRaft cluster id: 16 bytes, URL-safe base64 without padding. The storage tool reads an
 * id starting with "-" as an option, so the first character is kept alphanumeric.
 */
const clusterId = (): string => {
  const id = randomBytes(16).toString('base64url');
  return /^[A-Za-z0-9]/.test(id) ? id : clusterId();
};

export const kafka: ServerDef<'kafka'> = {
  name: 'kafka',
  // proxy: reserved for a test's TCP proxy in front of `proxied`; nothing of Kafka listens there.
  portRoles: ['client', 'controller', 'proxied', 'proxy'],
  missing() {
    if (!java()) return 'java (Java 17)';
    if (!jarDir('kafka')) return 'Kafka jars (Maven Central, copied by install.sh)';
    return undefined;
  },

  async prepare(ctx) {
    writeFileSync(file(ctx, 'server.properties'), serverProperties(ctx));
    writeFileSync(file(ctx, 'log4j2.properties'), LOG4J2);
    runToCompletion({
      label: 'kafka storage format',
      command: java()!,
      args: javaArgs(ctx, 'kafka.tools.StorageTool', ['format', '-t', clusterId(), '-c', file(ctx, 'server.properties')]),
      cwd: ctx.dir,
    }, ctx.logFile);
  },

  launch: (ctx) => [{
    label: 'kafka',
    command: java()!,
    args: javaArgs(ctx, 'kafka.Kafka', [file(ctx, 'server.properties')]),
    cwd: ctx.dir,
    stopTimeoutMs: 60_000,
  }],

  async probe(ctx) {
    const { Kafka, logLevel } = await import('kafkajs');
    const admin = new Kafka({
      clientId: 'peregrine-probe', brokers: [`${ctx.host}:${ctx.port}`], logLevel: logLevel.NOTHING,
      connectionTimeout: 2000, requestTimeout: 5000, retry: { retries: 0 },
    }).admin();
    try {
      await admin.connect();
      const cluster = await admin.describeCluster();
      if (!cluster.brokers.length) throw new Error('no broker in the metadata yet');
      await admin.listTopics();
      // The group coordinator answers too (creates/loads __consumer_offsets), so consumer
      // groups work as soon as the broker is called ready.
      await admin.describeGroups(['peregrine-ready']);
    } finally {
      await admin.disconnect();
    }
  },

  info(ctx) {
    const bootstrap = `${ctx.host}:${ctx.port}`;
    return {
      url: `kafka://${bootstrap}`,
      env: { KAFKA_BROKERS: bootstrap, KAFKA_BOOTSTRAP_SERVERS: bootstrap },
      connection: { brokers: [bootstrap] },
    };
  },
};
