// Loggers for executions, task runs and triggers: masked, persisted through the writer, streamed.
import type { LogEntry, LogLevel } from '../model/execution';
import type { EngineServices, Logger } from '../plugins/types';
import type { Store } from '../store';
import type { EngineEvents } from './events';

type Where = Omit<LogEntry, 'timestamp' | 'level' | 'message'>;

type LoggerDeps = { store: Store; events: EngineEvents; services: EngineServices };

/** A logger bound to one place (execution, task run, trigger); one small object, no closures. */
class PlaceLogger implements Logger {
  constructor(private readonly deps: LoggerDeps, private readonly where: Where) {}

  log(level: LogLevel, message: string): void {
    const entry: LogEntry = { ...this.where, timestamp: new Date().toISOString(), level, message: this.deps.services.mask(message) };
    this.deps.store.writer.appendLog(entry);
    if (this.deps.events.has('log')) this.deps.events.emit('log', entry);
  }

  trace(m: string): void { this.log('TRACE', m); }
  debug(m: string): void { this.log('DEBUG', m); }
  info(m: string): void { this.log('INFO', m); }
  warn(m: string): void { this.log('WARN', m); }
  error(m: string): void { this.log('ERROR', m); }
}

export function makeLogger(deps: LoggerDeps, where: Where): Logger {
  return new PlaceLogger(deps, where);
}

/** Replaces every secret value the engine has handed out with asterisks. */
export class SecretMask {
  private readonly values = new Set<string>();
  private pattern: RegExp | undefined;

  add(value: string): void {
    if (value.length < 3 || this.values.has(value)) return; // too short to mask without mangling text
    this.values.add(value);
    this.pattern = new RegExp([...this.values].sort((a, b) => b.length - a.length).map(escapeRegExp).join('|'), 'g');
  }

  mask(text: string): string {
    return this.pattern ? text.replace(this.pattern, '******') : text;
  }

  /** Masks every string inside a value (task outputs); the value itself when no secret was used. */
  maskValue<T>(value: T): T {
    if (!this.pattern) return value;
    const walk = (v: unknown): unknown => {
      if (typeof v === 'string') return this.mask(v);
      if (Array.isArray(v)) return v.map(walk);
      if (v && typeof v === 'object') return Object.fromEntries(Object.entries(v).map(([k, x]) => [k, walk(x)]));
      return v;
    };
    return walk(value) as T;
  }
}

const escapeRegExp = (s: string) => s.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
