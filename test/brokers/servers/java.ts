// JVM settings shared by the Java brokers (Kafka, ElasticMQ): small heap, serial GC and C1 only,
// which start fastest on a 2-core machine. PEREGRINE_BROKERS_JVM_OPTS replaces them (e.g. for
// a benchmark that wants the full JIT: "-Xms1g -Xmx1g -XX:+UseG1GC").
import { join } from 'node:path';
import { javaBin } from '../paths';

export const java = () => javaBin();

export function jvmOptions(): string[] {
  const custom = process.env.PEREGRINE_BROKERS_JVM_OPTS?.trim();
  if (custom) return custom.split(/\s+/);
  return [
    '-Xms256m', '-Xmx512m', '-XX:+UseSerialGC', '-XX:TieredStopAtLevel=1', '-Xss512k',
    '-XX:-UsePerfData', '-Xshare:auto', '-Djava.awt.headless=true', '-Djava.net.preferIPv4Stack=true',
  ];
}

/** `dir/*`: every jar of a folder, as a class path. */
export const classpath = (dir: string) => join(dir, '*');
