// The contract's message protocol, shared by every message transport (WebSocket, Electron's
// MessagePort): one ordered channel carries calls, subscriptions and batches.
//   client → engine: {type:'call', id, name, input} | {type:'subscribe', sid, stream, filter} | {type:'unsubscribe', sid}
//   engine → client: {type:'result', id, result} | {type:'batch', sid, batch} | {type:'error', message}
import { STREAM_NAMES, type StreamName } from './contract';
import type { EngineApi } from './index';

export interface Connection {
  onMessage(msg: any): Promise<void>;
  close(): void;
}

/** Serves one client: `send` delivers a message to it; `isBehind` tells when its buffer is full. */
export function serveConnection(api: EngineApi, send: (msg: unknown) => void, isBehind: () => boolean = () => false): Connection {
  const subs = new Map<string, () => void>();
  return {
    async onMessage(msg) {
      if (msg?.type === 'call') {
        send({ type: 'result', id: msg.id, result: await api.call(msg.name, msg.input) });
      } else if (msg?.type === 'subscribe' && STREAM_NAMES.includes(msg.stream)) {
        subs.get(msg.sid)?.();
        subs.set(msg.sid, api.hub.subscribe(msg.stream as StreamName, msg.filter ?? {}, (batch) => send({ type: 'batch', sid: msg.sid, batch }), () => !isBehind()));
      } else if (msg?.type === 'unsubscribe') {
        subs.get(msg.sid)?.();
        subs.delete(msg.sid);
      } else {
        send({ type: 'error', message: `unknown message type ${String(msg?.type)}` });
      }
    },
    close() {
      subs.forEach((u) => u());
      subs.clear();
    },
  };
}
