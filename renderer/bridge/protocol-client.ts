// The client half of the contract's message protocol (see main/api/protocol.ts), shared by the
// WebSocket bridge and the Electron preload bridge.
import type { Bridge, CommandInput, CommandName, CommandOutput, Result, StreamBatch, StreamFilter, StreamName } from '../../main/api/contract';

export interface ProtocolClient {
  bridge: Bridge;
  /** Feed every message from the engine here. */
  receive(msg: any): void;
  /** After a reconnect: subscriptions are sent again. */
  resubscribe(): void;
  /** The channel died: calls in flight get an error result instead of hanging. */
  failPending(message: string): void;
}

export function createProtocolClient(send: (msg: unknown) => void): ProtocolClient {
  const pending = new Map<number, (r: Result<unknown>) => void>();
  const subs = new Map<string, { stream: StreamName; filter: StreamFilter; onBatch: (b: StreamBatch<StreamName>) => void }>();
  let next = 0;
  const bridge: Bridge = {
    call<N extends CommandName>(name: N, input: CommandInput<N>): Promise<Result<CommandOutput<N>>> {
      const id = ++next;
      return new Promise((resolve) => {
        pending.set(id, resolve as (r: Result<unknown>) => void);
        send({ type: 'call', id, name, input });
      });
    },
    subscribe(stream, filter, onBatch) {
      const sid = `s${++next}`;
      subs.set(sid, { stream, filter, onBatch: onBatch as (b: StreamBatch<StreamName>) => void });
      send({ type: 'subscribe', sid, stream, filter });
      return () => {
        subs.delete(sid);
        send({ type: 'unsubscribe', sid });
      };
    },
  };
  return {
    bridge,
    receive(msg) {
      if (msg?.type === 'result') {
        pending.get(msg.id)?.(msg.result);
        pending.delete(msg.id);
      } else if (msg?.type === 'batch') {
        subs.get(msg.sid)?.onBatch(msg.batch);
      }
    },
    resubscribe() {
      for (const [sid, s] of subs) send({ type: 'subscribe', sid, stream: s.stream, filter: s.filter });
    },
    failPending(message) {
      for (const resolve of pending.values()) resolve({ ok: false, error: { code: 'INTERNAL', message } });
      pending.clear();
    },
  };
}
