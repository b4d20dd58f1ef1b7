// The one contract between the engine and the UI (DESIGN.md, "One contract, two transports"):
// every command (request → response) and every live stream (topic → batches of events). The
// Electron preload and the WebSocket bridge both implement `Bridge`; the renderer imports only
// these types. Results are data, never thrown across the boundary.
import { z } from 'zod';
import type { FlowError } from '../flow/errors';
import type { FlowGraph } from '../flow/graph';
import type { Execution, LogEntry, LogLevel } from '../model/execution';
import type { TriggerHealth } from '../runtime/supervisor';

export type Result<T> = { ok: true; value: T } | { ok: false; error: ApiError };
export interface ApiError { message: string; code?: 'NOT_FOUND' | 'INVALID' | 'CONFLICT' | 'INTERNAL'; details?: unknown }

const flowRef = z.object({ namespace: z.string().min(1), id: z.string().min(1) });
const triggerRef = z.object({ namespace: z.string().min(1), flowId: z.string().min(1), triggerId: z.string().min(1) });
const LEVELS = ['TRACE', 'DEBUG', 'INFO', 'WARN', 'ERROR'] as const;
const STATE_NAMES = [
  'CREATED', 'QUEUED', 'RUNNING', 'PAUSED', 'RESTARTED', 'KILLING', 'SUCCESS', 'WARNING',
  'FAILED', 'KILLED', 'CANCELLED', 'RETRYING', 'RETRIED', 'SKIPPED',
] as const;

export interface FlowSummary {
  namespace: string;
  id: string;
  revision: number;
  description?: string;
  file?: string;
  disabled: boolean;
  triggers: { id: string; type: string; disabled: boolean }[];
  taskCount: number;
}
export interface FlowProblemSummary { file: string; errors: FlowError[] }
export interface FlowDetail extends FlowSummary { source: string }
export interface SaveResult { ok: boolean; errors: FlowError[]; flow?: FlowSummary }
export interface PluginSummary {
  type: string;
  aliases: string[];
  kind: 'task' | 'trigger';
  mode?: string;
  title: string;
  description: string;
  category: string;
  icon?: string;
  outputs: Record<string, string>;
  examples: { title: string; code: string }[];
  /** JSON Schema of the plugin's own properties. */
  schema: unknown;
  canPublishTestEvents: boolean;
}
export interface SecretSummary { namespace: string; name: string; updatedAt: string }
export interface Settings { maxInFlight: number; retentionDays: number; durability: 'NORMAL' | 'FULL'; embeddedMqtt: boolean }

/** Every command: its input schema (validated at the boundary) and its output type. */
export const commands = {
  'flows.list': { input: z.object({}).default({}), output: null as unknown as { flows: FlowSummary[]; problems: FlowProblemSummary[] } },
  'flows.get': { input: flowRef, output: null as unknown as FlowDetail },
  'flows.save': { input: z.object({ source: z.string(), file: z.string().optional() }), output: null as unknown as SaveResult },
  'flows.delete': { input: flowRef, output: null as unknown as { deleted: boolean } },
  'flows.validate': { input: z.object({ source: z.string() }), output: null as unknown as { errors: FlowError[] } },
  'flows.graph': { input: z.object({ source: z.string() }), output: null as unknown as { graph?: FlowGraph; errors: FlowError[] } },
  'flows.setEnabled': { input: flowRef.extend({ enabled: z.boolean() }), output: null as unknown as SaveResult },
  'flows.revisions': { input: flowRef, output: null as unknown as { revision: number; createdAt: string; deleted: boolean }[] },

  'executions.search': {
    input: z.object({
      namespace: z.string().optional(),
      flowId: z.string().optional(),
      state: z.array(z.enum(STATE_NAMES)).optional(),
      labels: z.record(z.string(), z.string()).optional(),
      from: z.number().optional(),
      to: z.number().optional(),
      page: z.number().int().min(1).optional(),
      size: z.number().int().min(1).max(1000).optional(),
    }).default({}),
    output: null as unknown as { results: Execution[]; total: number },
  },
  'executions.get': { input: z.object({ id: z.string() }), output: null as unknown as Execution },
  'executions.create': {
    input: z.object({ namespace: z.string(), flowId: z.string(), inputs: z.record(z.string(), z.unknown()).default({}), labels: z.record(z.string(), z.string()).optional() }),
    output: null as unknown as Execution,
  },
  'executions.kill': { input: z.object({ ids: z.array(z.string()).min(1) }), output: null as unknown as { killed: string[] } },
  'executions.resume': { input: z.object({ id: z.string(), inputs: z.record(z.string(), z.unknown()).default({}) }), output: null as unknown as { resumed: boolean } },
  'executions.delete': { input: z.object({ ids: z.array(z.string()).min(1) }), output: null as unknown as { deleted: string[] } },
  /** A new execution of the flow's current revision with the same trigger variables (or inputs). */
  'executions.replay': { input: z.object({ id: z.string() }), output: null as unknown as Execution },

  'logs.query': {
    input: z.object({
      executionId: z.string().optional(), namespace: z.string().optional(), flowId: z.string().optional(),
      minLevel: z.enum(LEVELS).optional(), afterId: z.number().optional(), limit: z.number().int().min(1).max(100_000).optional(),
    }),
    output: null as unknown as (LogEntry & { id: number })[],
  },

  'triggers.health': { input: z.object({}).default({}), output: null as unknown as TriggerHealth[] },
  'triggers.restart': { input: triggerRef, output: null as unknown as TriggerHealth },
  'triggers.testEvent': {
    input: triggerRef.extend({
      payload: z.string(), key: z.string().optional(), headers: z.record(z.string(), z.string()).optional(),
      attributes: z.record(z.string(), z.string()).optional(), count: z.number().int().min(1).max(100_000).default(1),
      ratePerSecond: z.number().positive().optional(),
    }),
    output: null as unknown as { sent: number },
  },

  'secrets.list': { input: z.object({}).default({}), output: null as unknown as SecretSummary[] },
  'secrets.set': { input: z.object({ namespace: z.string().default(''), name: z.string().regex(/^[A-Za-z_][A-Za-z0-9_]*$/), value: z.string() }), output: null as unknown as { saved: true } },
  'secrets.delete': { input: z.object({ namespace: z.string().default(''), name: z.string() }), output: null as unknown as { deleted: boolean } },

  'settings.get': { input: z.object({}).default({}), output: null as unknown as Settings },

  'plugins.list': { input: z.object({}).default({}), output: null as unknown as PluginSummary[] },
  'plugins.flowSchema': { input: z.object({}).default({}), output: null as unknown as object },
} as const;

export type CommandName = keyof typeof commands;
export type CommandInput<N extends CommandName> = z.input<(typeof commands)[N]['input']>;
export type CommandOutput<N extends CommandName> = (typeof commands)[N]['output'];

/** An event of the live trigger tap: one admitted event and the execution it started. */
export interface TapEvent {
  namespace: string;
  flowId: string;
  triggerId: string;
  executionId: string;
  receivedAt: number;
  /** The `trigger.*` variables exactly as the flow sees them (large payloads are truncated). */
  variables: Record<string, unknown>;
  size: number;
}

export interface StreamEvents {
  /** Latest state of executions that changed (coalesced by id). */
  executions: Execution;
  logs: LogEntry;
  /** Latest health of triggers that changed (coalesced by trigger). */
  triggers: TriggerHealth;
  triggerEvents: TapEvent;
  flows: { reason: string };
}
export type StreamName = keyof StreamEvents;

export interface StreamFilter {
  namespace?: string;
  flowId?: string;
  executionId?: string;
  minLevel?: LogLevel;
}

export interface StreamBatch<S extends StreamName> {
  stream: S;
  events: StreamEvents[S][];
  /** Events left out because the client fell behind (only for the tap and logs). */
  dropped: number;
}

/** What the renderer holds: the same shape over Electron IPC, WebSocket, or a mock. */
export interface Bridge {
  call<N extends CommandName>(name: N, input: CommandInput<N>): Promise<Result<CommandOutput<N>>>;
  subscribe<S extends StreamName>(stream: S, filter: StreamFilter, onBatch: (batch: StreamBatch<S>) => void): () => void;
}

export const STREAM_NAMES: StreamName[] = ['executions', 'logs', 'triggers', 'triggerEvents', 'flows'];
