// The contract over a WebSocket (web mode). Reconnects with backoff and re-subscribes, so a
// restarted engine does not leave the page dead; calls made while disconnected wait.
import type { Bridge } from '../../main/api/contract';
import { createProtocolClient } from './protocol-client';

/** What the bridge needs of a WebSocket (the browser's, or the `ws` package's in tests). */
export interface SocketLike {
  readonly readyState: number;
  send(data: string): void;
  close(): void;
  onopen: ((ev: unknown) => void) | null;
  onmessage: ((ev: { data: unknown }) => void) | null;
  onclose: ((ev: unknown) => void) | null;
  onerror: ((ev: unknown) => void) | null;
}

export interface WsBridge extends Bridge {
  close(): void;
  /** Resolves once the socket is open. */
  ready: Promise<void>;
}

export function createWebSocketBridge(url: string, open: (url: string) => SocketLike): WsBridge {
  let socket: SocketLike | undefined;
  let outbox: string[] = [];
  let delay = 250;
  let closed = false;
  let markReady: () => void;
  const ready = new Promise<void>((r) => (markReady = r));
  const client = createProtocolClient((msg) => {
    const text = JSON.stringify(msg);
    if (socket?.readyState === 1) socket.send(text);
    else if (!(msg as { type: string }).type.endsWith('subscribe')) outbox.push(text); // subscriptions are replayed on open
  });

  const connect = () => {
    const s = open(url);
    socket = s;
    s.onopen = () => {
      delay = 250;
      client.resubscribe();
      const queued = outbox;
      outbox = [];
      queued.forEach((m) => s.send(m));
      markReady();
    };
    s.onmessage = (ev) => client.receive(JSON.parse(String(ev.data)));
    s.onerror = () => {};
    s.onclose = () => {
      if (closed) return;
      client.failPending('the connection to the engine was lost');
      setTimeout(connect, delay);
      delay = Math.min(delay * 2, 5000);
    };
  };
  connect();

  return {
    ...client.bridge,
    ready,
    close() {
      closed = true;
      socket?.close();
    },
  };
}
