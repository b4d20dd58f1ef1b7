// The one contract between the engine and the UI (DESIGN.md, "One contract, two transports"):
// every command (request → response) and every live stream (topic → batches of events). The
// Electron preload and the WebSocket bridge both implement `Bridge`; the renderer imports only
// these types. Results are data, never thrown across the boundary.
import { z } from 'zod';
import type { FlowError } from '../flow/errors';
import type { FlowGraph } from '../flow/graph';
import type { Execution, LogEntry, LogLevel } from '../model/execution';
import type { TriggerHealth } from '../runtime/supervisor';
import type { ImportPlanItem } from '../kestra/archive';
import type { DeployReport, PullResult } from '../kestra/deploy';
import type { ExecutionExport } from '../kestra/execution-export';
import type { GallerySummary } from '../kestra/gallery';

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
/** A workspace file that does not load (never run): its errors, and its text so it can be opened, fixed and deployed. */
export interface FlowProblemSummary {
  file: string;
  errors: FlowError[];
  source: string;
  /** The flow the file names, when its YAML says (string id and namespace). */
  namespace?: string;
  id?: string;
  /** Its only errors are Kestra plugins not run locally: valid Kestra YAML, kept and deployable. */
  notSupportedLocally: boolean;
}
export interface FlowDetail extends FlowSummary { source: string }
export interface SaveResult {
  ok: boolean;
  errors: FlowError[];
  flow?: FlowSummary;
  /** Written, but not runnable here: it uses Kestra plugins not supported locally (listed under problems). */
  kept?: { namespace: string; id: string; file: string };
}
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
/** A Kestra server and how to sign in: Basic auth (OSS: user + password) or an API token (EE). */
const kestraServer = z.object({
  server: z.string().regex(/^https?:\/\/\S+$/, 'an http(s) URL such as http://localhost:8080'),
  user: z.string().optional(),
  password: z.string().optional(),
  token: z.string().optional(),
  /** Paths under /api/v1/{tenant} (newer Kestra versions: "main" in OSS); absent: /api/v1. */
  tenant: z.string().regex(/^[A-Za-z0-9_-]+$/).optional(),
});

export interface ExportedZip {
  /** The ZIP archive, base64-encoded. */
  zipBase64: string;
  /** A file name to offer when saving it. */
  fileName: string;
  /** Its entries: paths of YAML files relative to the workspace. */
  entries: string[];
}
export interface GalleryUseResult {
  namespace?: string;
  id?: string;
  file?: string;
  /** Loaded and runnable. */
  ok: boolean;
  /** Written to the workspace but not runnable here: it uses Kestra plugins not supported locally. */
  kept: boolean;
  errors: FlowError[];
}
export type { ImportPlanItem } from '../kestra/archive';
export type { DeployReport, DeployResult, PullResult } from '../kestra/deploy';
export type { ExecutionExport } from '../kestra/execution-export';
export type { GallerySummary } from '../kestra/gallery';

/** Executions per time bucket by state, the slowest flows and the latest failures (the overview). */
export interface ExecutionStats {
  from: number;
  to: number;
  bucketMs: number;
  /** One entry per bucket, oldest first (every bucket of the window, empty ones included). */
  buckets: { t: number; counts: Partial<Record<(typeof STATE_NAMES)[number], number>> }[];
  totals: Partial<Record<(typeof STATE_NAMES)[number], number>>;
  /** Flows by mean duration of their finished executions in the window, slowest first. */
  slowest: { namespace: string; flowId: string; count: number; avgMs: number; p95Ms: number; maxMs: number }[];
  /** The latest FAILED / KILLED executions with why, in words. */
  failures: { id: string; namespace: string; flowId: string; state: string; startDate: string; endDate?: string; error: string; taskId?: string }[];
}
/** When an execution was created, started running and ended (ms since epoch); eventAt when the source dates its events. */
export interface ExecutionTiming { id: string; triggerId?: string; state: string; createdAt: number; startedAt?: number; endedAt?: number; eventAt?: number; /** A replay of this execution (its event time is the original's). */ replayOf?: string }
/** A file of internal storage (kestra:///…), read up to a size limit. */
export interface StorageFile { uri: string; name: string; size: number; truncated: boolean; encoding: 'utf8' | 'base64'; data: string; contentType: string }
export interface GettingStartedFlow { name: string; namespace: string; id: string; title: string; description: string; inWorkspace: boolean }
export interface GettingStarted {
  /** No flow (and no broken flow file) in the workspace. */
  empty: boolean;
  /** The embedded MQTT broker's address when this engine runs one (web mode: `peregrine server`). */
  mqttUrl?: string;
  flows: GettingStartedFlow[];
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

  /**
   * Pushes flows to a Kestra server (create or update each, Kestra validating first): workspace
   * flows by reference (runnable ones and those kept as "not supported locally"), raw sources,
   * or all of them. Secrets stay {{ secret('…') }} references; a source holding the value of a
   * local secret is not sent. Per-flow failures are in the report, not an error.
   */
  'kestra.deploy': {
    input: kestraServer.extend({
      flows: z.array(flowRef).optional(),
      sources: z.array(z.string()).optional(),
      all: z.boolean().optional(),
      /** Rewrites each flow's namespace (in the text, comments kept) before sending it. */
      namespace: z.string().optional(),
      /** Ask Kestra's validation endpoint first (default true). */
      validate: z.boolean().default(true),
      /** Only validate on the server. */
      dryRun: z.boolean().default(false),
    }),
    output: null as unknown as DeployReport,
  },
  /** Fetches flows from a Kestra server into the workspace (a namespace and those below it, or all). */
  'kestra.pull': {
    input: kestraServer.extend({ namespace: z.string().optional(), dryRun: z.boolean().default(false) }),
    output: null as unknown as { results: PullResult[] },
  },
  /** A ZIP of YAML files: one flow, a namespace (and below), or the whole workspace. */
  'workspace.export': {
    input: z.object({ namespace: z.string().optional(), flow: flowRef.optional() }).default({}),
    output: null as unknown as ExportedZip,
  },
  /** Imports a ZIP of flows (Peregrine's or Kestra's export); a flow the workspace has with another source is a conflict unless overwrite. */
  'workspace.import': {
    input: z.object({ zipBase64: z.string().min(1), overwrite: z.boolean().default(false) }),
    output: null as unknown as { results: Omit<ImportPlanItem, 'source'>[] },
  },
  /** An execution as one JSON document (Kestra's execution and log shapes, plus the flow revision), secrets masked. */
  'executions.export': { input: z.object({ id: z.string() }), output: null as unknown as ExecutionExport },
  /** The sample flows of assets/flows: title, description, use case, brokers needed, how to feed them, source. */
  'gallery.list': { input: z.object({}).default({}), output: null as unknown as GallerySummary[] },
  /** Copies a gallery flow into the workspace ("use this"), optionally into another namespace. */
  'gallery.use': {
    input: z.object({ name: z.string().min(1), namespace: z.string().optional(), overwrite: z.boolean().default(false) }),
    output: null as unknown as GalleryUseResult,
  },

  // ── the inspector, executions and overview (issue 8) ──
  /** Executions per bucket (default: per minute) by state, slowest flows and recent failures, over a window (default: the last hour). */
  'executions.stats': {
    input: z.object({
      from: z.number().optional(), to: z.number().optional(),
      bucketMs: z.number().int().min(1000).max(86_400_000).default(60_000),
      namespace: z.string().optional(), flowId: z.string().optional(),
      slowest: z.number().int().min(0).max(50).default(5), failures: z.number().int().min(0).max(100).default(10),
    }).default({ bucketMs: 60_000, slowest: 5, failures: 10 }),
    output: null as unknown as ExecutionStats,
  },
  /** Created / started / ended times of a flow's latest executions (newest first), for latency figures. */
  'executions.timings': {
    input: z.object({
      namespace: z.string().min(1), flowId: z.string().min(1), triggerId: z.string().optional(),
      from: z.number().optional(), limit: z.number().int().min(1).max(10_000).default(1000),
    }),
    output: null as unknown as ExecutionTiming[],
  },
  /** Reads a file of internal storage (kestra:///…): confined to the storage folder, at most maxBytes (default 1 MiB, up to 32 MiB). */
  'storage.read': {
    input: z.object({ uri: z.string().startsWith('kestra://'), maxBytes: z.number().int().min(1).max(32 * 1024 * 1024).default(1024 * 1024) }),
    output: null as unknown as StorageFile,
  },
  /** The source of one revision of a flow (what an execution ran). */
  'flows.revision': { input: flowRef.extend({ revision: z.number().int().min(1) }), output: null as unknown as { namespace: string; id: string; revision: number; source: string; createdAt: string } },
  /** First run: the getting-started flows (assets/flows/getting-started) and the embedded MQTT broker. */
  'gettingStarted.status': { input: z.object({}).default({}), output: null as unknown as GettingStarted },
  /** Adds the getting-started flows to the workspace (those already there are left alone). */
  'gettingStarted.add': { input: z.object({}).default({}), output: null as unknown as { added: { namespace: string; id: string }[]; errors: FlowError[] } },
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
