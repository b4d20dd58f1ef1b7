// An open-loop HTTP load generator, run as its own process so it does not share the engine's
// event loop: sends `rate` requests per second for `seconds`, bounded by a cap on requests in
// flight, and prints one JSON line with what it achieved.
//   tsx bench/loadgen.ts <url> <rate> <seconds> [maxInFlight] [body]
import http from 'node:http';
import hdr from 'hdr-histogram-js';

const [url, rateArg, secondsArg, capArg, body] = process.argv.slice(2);
const rate = Number(rateArg);
const seconds = Number(secondsArg);
const cap = Number(capArg ?? 512);
const agent = new http.Agent({ keepAlive: true, maxSockets: cap });
const target = new URL(url);
const histogram = hdr.build({ lowestDiscernibleValue: 1, highestTrackableValue: 60_000_000, numberOfSignificantValueDigits: 3 });

let sent = 0;
let ok = 0;
let failed = 0;
let skipped = 0;
let inFlight = 0;

function fire(): void {
  if (inFlight >= cap) {
    skipped++;
    return;
  }
  inFlight++;
  sent++;
  const started = process.hrtime.bigint();
  const req = http.request(
    { host: target.hostname, port: target.port, path: target.pathname + target.search, method: 'POST', agent, headers: body ? { 'content-type': 'application/json' } : {} },
    (res) => {
      res.resume();
      res.on('end', () => {
        inFlight--;
        if (res.statusCode === 200) ok++;
        else failed++;
        histogram.recordValue(Number((process.hrtime.bigint() - started) / 1000n)); // µs
      });
    },
  );
  req.on('error', () => {
    inFlight--;
    failed++;
  });
  req.end(body);
}

const start = performance.now();
const end = start + seconds * 1000;
let due = 0;
const timer = setInterval(() => {
  const now = performance.now();
  const target = Math.min(Math.floor(((Math.min(now, end) - start) / 1000) * rate), Math.floor(rate * seconds));
  for (; due < target; due++) fire();
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
