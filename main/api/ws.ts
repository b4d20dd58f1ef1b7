// The contract over one WebSocket (web mode); the upgrade is refused without the token.
import type http from 'node:http';
import { WebSocketServer } from 'ws';
import type { EngineApi } from './index';
import { serveConnection } from './protocol';
import { safeEqual } from './rest';

export const WS_PATH = '/api/ws';
/** Above this many bytes waiting in the socket, the client is "behind": streams coalesce. */
const BACKLOG_BYTES = 1 << 20;

export function attachWebSocket(server: http.Server, api: EngineApi, token: string): WebSocketServer {
  const wss = new WebSocketServer({ noServer: true, maxPayload: 64 * 1024 * 1024 });
  server.on('upgrade', (req, socket, head) => {
    const url = new URL(req.url ?? '/', 'http://localhost');
    if (url.pathname !== WS_PATH) return socket.destroy();
    if (!safeEqual(url.searchParams.get('token') ?? '', token)) {
      socket.write('HTTP/1.1 401 Unauthorized\r\nConnection: close\r\n\r\n');
      return socket.destroy();
    }
    wss.handleUpgrade(req, socket, head, (ws) => {
      const conn = serveConnection(
        api,
        (msg) => ws.readyState === ws.OPEN && ws.send(JSON.stringify(msg)),
        () => ws.bufferedAmount > BACKLOG_BYTES,
      );
      ws.on('message', (data) => {
        let msg: unknown;
        try {
          msg = JSON.parse(String(data));
        } catch {
          return ws.send(JSON.stringify({ type: 'error', message: 'messages must be JSON' }));
        }
        void conn.onMessage(msg);
      });
      ws.on('close', () => conn.close());
    });
  });
  return wss;
}
