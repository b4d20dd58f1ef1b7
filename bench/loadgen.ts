// An open-loop HTTP load generator, run as its own process so it does not share the engine's
// event loop: sends `rate` requests per second for `seconds`, bounded by a cap on requests in
// flight, and prints one JSON line with what it achieved.
//   tsx bench/loadgen.ts <url> <rate> <seconds> [maxInFlight] [body]
//
// It speaks HTTP/1.1 over raw keep-alive sockets with the request bytes built once (Node's
// http.request costs the generator several times more CPU per request), so on a 2-core machine
// the generator leaves as much of the CPU as it can to the server it measures.
import net from 'node:net';
import hdr from 'hdr-histogram-js';

const [url, rateArg, secondsArg, capArg, body] = process.argv.slice(2);
const rate = Number(rateArg);
const seconds = Number(secondsArg);
const cap = Number(capArg ?? 512);
const target = new URL(url);
const port = Number(target.port || 80);
const bodyBytes = Buffer.from(body ?? '');
const request = Buffer.concat([
  Buffer.from(
    `POST ${target.pathname}${target.search} HTTP/1.1\r\nHost: ${target.host}\r\n` +
      (body ? 'Content-Type: application/json\r\n' : '') +
      `Content-Length: ${bodyBytes.length}\r\n\r\n`,
  ),
  bodyBytes,
]);
const histogram = hdr.build({ lowestDiscernibleValue: 1, highestTrackableValue: 60_000_000, numberOfSignificantValueDigits: 3 });

let sent = 0;
let ok = 0;
let failed = 0;
let skipped = 0;
let inFlight = 0;
let sockets = 0;
const idle: Connection[] = [];

/** One keep-alive connection with at most one request outstanding. */
class Connection {
  private readonly socket: net.Socket;
  private pending: Buffer = Buffer.alloc(0);
  private started = 0n;
  private busy = false;

  constructor() {
    sockets++;
    this.socket = net.connect({ host: target.hostname, port, noDelay: true });
    this.socket.on('data', (d: Buffer) => this.read(d));
    this.socket.on('error', () => {});
    this.socket.on('close', () => {
      sockets--;
      const at = idle.indexOf(this);
      if (at >= 0) idle.splice(at, 1);
      if (this.busy) this.finish(false);
    });
  }

  send(): void {
    this.busy = true;
    this.started = process.hrtime.bigint();
    this.socket.write(request);
  }

  private read(d: Buffer): void {
    this.pending = this.pending.length ? Buffer.concat([this.pending, d]) : d;
    const response = parseResponse(this.pending);
    if (!response) return;
    this.pending = this.pending.subarray(response.length);
    this.finish(response.status === 200);
    if (response.close) this.socket.destroy();
    else idle.push(this);
  }

  private finish(success: boolean): void {
    this.busy = false;
    inFlight--;
    if (success) {
      ok++;
      histogram.recordValue(Number((process.hrtime.bigint() - this.started) / 1000n)); // µs
    } else failed++;
  }
}

/** A complete response at the start of `buf`: its status and length, or undefined while incomplete. */
function parseResponse(buf: Buffer): { status: number; length: number; close: boolean } | undefined {
  const headEnd = buf.indexOf('\r\n\r\n');
  if (headEnd < 0) return undefined;
  const head = buf.toString('latin1', 0, headEnd);
  const status = Number(head.slice(9, 12));
  const close = /\r\nconnection:\s*close/i.test(head);
  const contentLength = /\r\ncontent-length:\s*(\d+)/i.exec(head);
  let at = headEnd + 4;
  if (contentLength) {
    const length = at + Number(contentLength[1]);
    return buf.length >= length ? { status, length, close } : undefined;
  }
  if (/\r\ntransfer-encoding:\s*chunked/i.test(head)) {
    for (;;) {
      const lineEnd = buf.indexOf('\r\n', at);
      if (lineEnd < 0) return undefined;
      const size = parseInt(buf.toString('latin1', at, lineEnd), 16);
      at = lineEnd + 2 + size + 2;
      if (at > buf.length) return undefined;
      if (size === 0) return { status, length: at, close };
    }
  }
  return { status, length: at, close };
}

function fire(): void {
  const connection = idle.pop() ?? (sockets < cap ? new Connection() : undefined);
  if (!connection) {
    skipped++;
    return;
  }
  inFlight++;
  sent++;
  connection.send();
}

const start = performance.now();
const end = start + seconds * 1000;
let due = 0;
const timer = setInterval(() => {
  const now = performance.now();
  const goal = Math.min(Math.floor(((Math.min(now, end) - start) / 1000) * rate), Math.floor(rate * seconds));
  for (; due < goal; due++) fire();
  if (now >= end) {
    clearInterval(timer);
    const wait = setInterval(() => {
      if (inFlight > 0 && performance.now() < end + 10_000) return;
      clearInterval(wait);
      const elapsed = (performance.now() - start) / 1000;
      console.log(JSON.stringify({
        offered: rate, seconds, sent, ok, failed, skipped, achieved: ok / seconds, elapsed,
        httpP50Ms: histogram.getValueAtPercentile(50) / 1000, httpP99Ms: histogram.getValueAtPercentile(99) / 1000,
      }));
      process.exit(0);
    }, 20);
  }
}, 1);
