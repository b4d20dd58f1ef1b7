// A loopback TCP proxy that injects network faults between the engine and a broker: pass,
// delay, blackhole (connections stay open, nothing flows), reject (the network is down: new
// connections are reset at once), and cut (every open connection reset).
import net from 'node:net';

export type ProxyMode = 'pass' | 'delay' | 'blackhole' | 'reject';

export class FaultProxy {
  mode: ProxyMode = 'pass';
  delayMs = 0;
  private server?: net.Server;
  private readonly pairs = new Set<[net.Socket, net.Socket]>();

  constructor(private readonly targetPort: number, private readonly targetHost = '127.0.0.1') {}

  async start(port = 0): Promise<number> {
    this.server = net.createServer((client) => {
      if (this.mode === 'reject') {
        client.on('error', () => {}).resetAndDestroy();
        return;
      }
      const upstream = net.connect(this.targetPort, this.targetHost);
      const pair: [net.Socket, net.Socket] = [client, upstream];
      this.pairs.add(pair);
      const pipe = (from: net.Socket, to: net.Socket) =>
        from.on('data', (chunk) => {
          if (this.mode === 'blackhole') return; // swallowed: the peer waits forever
          if (this.mode === 'delay' && this.delayMs) setTimeout(() => to.writable && to.write(chunk), this.delayMs);
          else if (to.writable) to.write(chunk);
        });
      pipe(client, upstream);
      pipe(upstream, client);
      const end = () => {
        client.destroy();
        upstream.destroy();
        this.pairs.delete(pair);
      };
      client.on('close', end).on('error', end);
      upstream.on('close', end).on('error', end);
    });
    await new Promise<void>((r) => this.server!.listen(port, '127.0.0.1', r));
    return (this.server.address() as net.AddressInfo).port;
  }

  /** Resets every open connection (a network cut); new connections are still accepted. */
  cut(): void {
    for (const [a, b] of this.pairs) {
      a.resetAndDestroy();
      b.destroy();
    }
    this.pairs.clear();
  }

  get connections(): number {
    return this.pairs.size;
  }

  async close(): Promise<void> {
    this.cut();
    await new Promise<void>((r) => (this.server ? this.server.close(() => r()) : r()));
  }
}
