// An MQTT broker inside the engine process (aedes, in-memory persistence), so that a newcomer sees a
// real-time trigger fire with no external service: `peregrine server` starts it and the sample
// flows point at it. It speaks MQTT 3.1 / 3.1.1 only; the MQTT plugins fall back from V5 to 3.1.1
// when a broker refuses V5, so flows keep Kestra's default `mqttVersion: V5`.
import net from 'node:net';
import { Aedes } from 'aedes';

export interface EmbeddedMqttOptions {
  /** Preferred port (default 1883); when it is taken, a free port is used instead. */
  port?: number;
  /** Interface to listen on (default 127.0.0.1: never exposed to the network by default). */
  host?: string;
  /** Only in-memory persistence exists today: sessions and queued messages live as long as the process. */
  persistence?: 'memory';
}

export interface EmbeddedMqtt {
  /** e.g. mqtt://127.0.0.1:1883 */
  url: string;
  host: string;
  port: number;
  /** Disconnects every client and stops listening. */
  close(): Promise<void>;
}

export async function startEmbeddedMqtt(options: EmbeddedMqttOptions = {}): Promise<EmbeddedMqtt> {
  const host = options.host ?? '127.0.0.1';
  const broker = await Aedes.createBroker();
  const server = net.createServer(broker.handle);
  // A client that vanishes mid-packet is the client's problem, not the engine's.
  broker.on('clientError', () => {});
  broker.on('connectionError', () => {});
  let port: number;
  try {
    port = await listen(server, options.port ?? 1883, host).catch((e: NodeJS.ErrnoException) => {
      if (e.code !== 'EADDRINUSE' && e.code !== 'EACCES') throw e;
      return listen(server, 0, host); // the preferred port is taken: any free port will do
    });
  } catch (e) {
    await new Promise<void>((resolve) => broker.close(() => resolve()));
    throw e;
  }
  let closing: Promise<void> | undefined;
  return {
    url: `mqtt://${host.includes(':') ? `[${host}]` : host}:${port}`,
    host,
    port,
    close: () =>
      (closing ??= (async () => {
        await new Promise<void>((resolve) => broker.close(() => resolve()));
        await new Promise<void>((resolve) => server.close(() => resolve()));
      })()),
  };
}

function listen(server: net.Server, port: number, host: string): Promise<number> {
  return new Promise((resolve, reject) => {
    const onError = (e: Error) => {
      server.off('listening', onListening);
      reject(e);
    };
    const onListening = () => {
      server.off('error', onError);
      resolve((server.address() as net.AddressInfo).port);
    };
    server.once('error', onError);
    server.once('listening', onListening);
    server.listen(port, host);
  });
}
