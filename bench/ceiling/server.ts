// The ceiling: a do-nothing HTTP server that answers the webhook path with a small JSON body,
// driven by the same load generator as Peregrine. Whatever it sustains on this machine is the most
// any webhook engine could reach here; Peregrine's rates read against it.
//   tsx bench/ceiling/server.ts   (prints "serving on http://127.0.0.1:<port>")
import http from 'node:http';
import type { AddressInfo } from 'node:net';

const reply = JSON.stringify({ id: 'ceiling', state: { current: 'CREATED' } });
const server = http.createServer((req, res) => {
  req.resume();
  req.on('end', () => {
    res.writeHead(200, { 'content-type': 'application/json' });
    res.end(reply);
  });
});
server.keepAliveTimeout = 65_000;
server.listen(0, '127.0.0.1', () => console.log(`serving on http://127.0.0.1:${(server.address() as AddressInfo).port}`));
