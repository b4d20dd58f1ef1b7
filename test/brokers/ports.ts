// Free TCP ports on 127.0.0.1.
import { createServer } from 'node:net';

export const LOOPBACK = '127.0.0.1';

// Ports handed out by this process: never hand one out twice, even after its server stopped.
const handedOut = new Set<number>();

function probePort(port: number): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.unref();
    server.once('error', reject);
    server.listen({ port, host: LOOPBACK, exclusive: true }, () => {
      const address = server.address();
      const chosen = typeof address === 'object' && address ? address.port : 0;
      server.close(() => resolve(chosen));
    });
  });
}

/** A port that was free on 127.0.0.1 a moment ago (the kernel picks it). */
export async function freePort(): Promise<number> {
  for (let attempt = 0; attempt < 50; attempt++) {
    const port = await probePort(0);
    if (port && !handedOut.has(port)) {
      handedOut.add(port);
      return port;
    }
  }
  throw new Error('no free port on 127.0.0.1');
}

/** `count` distinct free ports. */
export async function freePorts(count: number): Promise<number[]> {
  const ports: number[] = [];
  while (ports.length < count) ports.push(await freePort());
  return ports;
}

/** Whether something can still listen on `port` (used for a caller-chosen port). */
export async function isPortFree(port: number): Promise<boolean> {
  try {
    await probePort(port);
    return true;
  } catch {
    return false;
  }
}
