// A mock bridge for unit tests of the UI: answers commands from handlers and lets a test push
// stream batches as the engine would.
import type { Bridge, CommandName, CommandOutput, Result, StreamBatch, StreamEvents, StreamFilter, StreamName } from '../../main/api/contract';

type MockHandlers = { [N in CommandName]?: (input: any) => CommandOutput<N> | Promise<CommandOutput<N>> };

export interface MockBridge extends Bridge {
  /** Delivers a batch to every subscriber of `stream`. */
  emit<S extends StreamName>(stream: S, events: StreamEvents[S][], dropped?: number): void;
  calls: { name: CommandName; input: unknown }[];
  subscriptions(stream?: StreamName): number;
}

export function createMockBridge(handlers: MockHandlers = {}): MockBridge {
  const subs = new Set<{ stream: StreamName; filter: StreamFilter; onBatch: (b: StreamBatch<StreamName>) => void }>();
  const calls: MockBridge['calls'] = [];
  return {
    calls,
    async call(name, input) {
      calls.push({ name, input });
      const h = handlers[name];
      if (!h) return { ok: false, error: { code: 'NOT_FOUND', message: `mock has no handler for ${name}` } } as Result<never>;
      try {
        return { ok: true, value: await h(input) } as Result<never>;
      } catch (e) {
        return { ok: false, error: { code: 'INTERNAL', message: (e as Error).message } } as Result<never>;
      }
    },
    subscribe(stream, filter, onBatch) {
      const sub = { stream, filter, onBatch: onBatch as (b: StreamBatch<StreamName>) => void };
      subs.add(sub);
      return () => subs.delete(sub);
    },
    emit(stream, events, dropped = 0) {
      for (const s of subs) if (s.stream === stream) s.onBatch({ stream, events, dropped } as StreamBatch<StreamName>);
    },
    subscriptions: (stream) => [...subs].filter((s) => !stream || s.stream === stream).length,
  };
}
