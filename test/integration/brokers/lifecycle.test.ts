// The handle's lifecycle: folders removed or kept, processes gone, isolation of two instances,
// and the watchdog that cleans up after a test process killed with SIGKILL.
import { spawn } from 'node:child_process';
import { existsSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import amqp from 'amqplib';
import { Redis } from 'ioredis';
import { describe, expect, it } from 'vitest';
import { brokerMissing, startBroker } from '../../brokers';
import { waitFor } from './helpers';

const alive = (pid: number | undefined) => {
  if (!pid) return false;
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
};

const required = process.env.PEREGRINE_REQUIRE_BROKERS === '1';
const skipRedis = !required && !!brokerMissing('redis');
const skipRabbit = !required && !!brokerMissing('rabbitmq');

describe('broker handles', () => {
  it.skipIf(skipRedis)('stop() removes the folder; stop({ keepData }) keeps it for start()', async () => {
    const a = await startBroker('redis');
    const pid = a.pid;
    expect(existsSync(a.logFile)).toBe(true);
    await a.stop();
    expect(alive(pid)).toBe(false);
    expect(existsSync(a.dataDir)).toBe(false);
    await expect(a.start()).rejects.toThrow(/data removed/);

    const b = await startBroker('redis');
    const writer = new Redis(b.connection);
    await writer.set('k', 'v');
    writer.disconnect();
    await b.stop({ keepData: true });
    expect(existsSync(join(b.dataDir, 'redis.conf'))).toBe(true);
    await b.start();
    const client = new Redis(b.connection);
    expect(await client.get('k')).toBe('v');
    client.disconnect();
    expect(b.log()).toMatch(/Ready to accept connections/);
    await b.stop();
    expect(existsSync(b.dataDir)).toBe(false);
  });

  it.skipIf(skipRabbit)('runs two RabbitMQ nodes side by side, each with its own name, ports and epmd', async () => {
    const [one, two] = await Promise.all([startBroker('rabbitmq'), startBroker('rabbitmq')]);
    try {
      expect(new Set([...Object.values(one.ports), ...Object.values(two.ports)]).size).toBe(6);
      for (const b of [one, two]) {
        const conn = await amqp.connect(b.url);
        const ch = await conn.createChannel();
        await ch.assertQueue(`q-${b.port}`);
        await conn.close();
      }
    } finally {
      await Promise.all([one.stop(), two.stop()]);
    }
    expect(alive(one.pid) || alive(two.pid)).toBe(false);
  });

  it.skipIf(skipRedis)('a watchdog kills the broker and removes its folder when the test process dies by SIGKILL', async () => {
    const child = spawn(process.execPath, ['--import', 'tsx', join(import.meta.dirname, 'fixtures', 'start-and-wait.ts'), 'redis'], {
      stdio: ['ignore', 'pipe', 'inherit'],
    });
    let out = '';
    child.stdout.on('data', (d) => (out += d));
    const started = await waitFor(() => (out.includes('\n') ? JSON.parse(out) as { pid: number; dataDir: string } : undefined), 60_000);
    expect(alive(started.pid)).toBe(true);
    child.kill('SIGKILL');
    try {
      await waitFor(() => (!alive(started.pid) && !existsSync(started.dataDir) ? true : undefined), 15_000, 'the watchdog');
    } finally {
      if (alive(started.pid)) process.kill(started.pid, 'SIGKILL');
      rmSync(started.dataDir, { recursive: true, force: true });
    }
  });
});
