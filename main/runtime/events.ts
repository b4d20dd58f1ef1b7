// The engine's live event hub: executions, logs and trigger health, for streams and tests.
import type { Execution, LogEntry } from '../model/execution';
import type { TriggerHealth } from './supervisor';

export interface EngineEventMap {
  execution: Execution;
  log: LogEntry;
  trigger: TriggerHealth;
  flows: { reason: string };
  triggerEvent: { namespace: string; flowId: string; triggerId: string; executionId: string; variables: Record<string, unknown>; receivedAt: number };
}

type Listener<T> = (payload: T) => void;

export class EngineEvents {
  private readonly listeners: { [K in keyof EngineEventMap]?: Set<Listener<EngineEventMap[K]>> } = {};

  on<K extends keyof EngineEventMap>(kind: K, fn: Listener<EngineEventMap[K]>): () => void {
    const all = this.listeners as Record<string, Set<Listener<any>> | undefined>;
    const set = (all[kind] ??= new Set());
    set.add(fn);
    return () => set.delete(fn);
  }

  /** True when someone listens: callers skip building payloads otherwise (hot path). */
  has(kind: keyof EngineEventMap): boolean {
    return (this.listeners[kind]?.size ?? 0) > 0;
  }

  emit<K extends keyof EngineEventMap>(kind: K, payload: EngineEventMap[K]): void {
    const set = this.listeners[kind];
    if (!set) return;
    for (const fn of set) {
      try {
        fn(payload);
      } catch {
        // a listener's failure must never break the engine
      }
    }
  }
}
