// One family's realtime trigger in an in-process engine, reaching its broker through a
// FaultProxy (or directly): publish numbered ids, wait until each has an execution, and count
// what was lost or duplicated. The fault tests drive the proxy and the broker around it.
import type { Engine } from '../../main/runtime/engine';
import type { TriggerHealth } from '../../main/runtime/supervisor';
import { WITH_TRIGGER } from '../../main/store';
import type { BrokerHandle, BrokerName } from '../brokers';
import { startEngine } from '../helpers/engine';
import { eventually } from '../helpers/server-process';
import type { FamilyAdapter } from './harness';
import { FaultProxy } from './proxy';

export interface FaultReport {
  family: string;
  fault: string;
  sent: number;
  /** Executions started for the ids sent (duplicates included). */
  executions: number;
  lost: number;
  duplicates: number;
  /** The first BACKOFF reason the trigger gave, if it went to BACKOFF. */
  reason?: string;
  /** A few of the lost ids, to tell which step lost them. */
  missing: number[];
  seconds: number;
}

/** Consecutive ids starting at `from`. */
export const idRange = (from: number, count: number): number[] => Array.from({ length: count }, (_, i) => from + i);

const BACKOFF = { minMs: 100, maxMs: 500 };
const POLL_MS = 200;
/** After the last id arrives, how long to keep counting (late redeliveries are duplicates). */
const SETTLE_MS = 1000;

export class FaultRig<N extends BrokerName> {
  readonly proxy: FaultProxy;
  engine?: Engine;
  /** Every state the trigger entered, with its reason: "BACKOFF: connection closed". */
  readonly states: string[] = [];
  private readonly listen: number;
  private readonly started = Date.now();
  /** Where in `states` the fault began: BACKOFFs before it (a slow start) do not count. */
  private faultAt = 0;
  private savedEnv: Record<string, string | undefined> = {};

  constructor(private readonly adapter: FamilyAdapter<N>, private readonly broker: BrokerHandle<N>) {
    const at = adapter.proxy?.(broker);
    this.proxy = new FaultProxy(at?.target ?? broker.port, broker.host);
    this.listen = at?.listen ?? 0;
  }

  /** Starts the engine with the family's flow; `direct` skips the proxy. Resolves once RUNNING. */
  async start(opts: { direct?: boolean } = {}): Promise<void> {
    await this.adapter.prepare?.(this.broker);
    const at = opts.direct ? undefined : { port: await this.proxy.start(this.listen) };
    this.setEnv(this.adapter.env?.(this.broker, at) ?? {});
    this.engine = await startEngine([], { backoff: BACKOFF });
    this.engine.events.on('trigger', (h: TriggerHealth) => this.states.push(`${h.state}${h.lastError ? `: ${h.lastError}` : ''}`));
    const saved = await this.engine.saveFlow(this.adapter.flow(this.broker, at));
    if (!saved.ok) throw new Error(`${this.adapter.family}: the flow is invalid: ${saved.errors.map((e) => e.message).join('; ')}`);
    await this.reaches('RUNNING', 60_000);
  }

  health(): TriggerHealth | undefined {
    return this.engine?.supervisor.all()[0]?.health();
  }

  async reaches(state: TriggerHealth['state'], timeoutMs: number): Promise<void> {
    await eventually(() => this.health()?.state === state, timeoutMs, `${this.adapter.family}: the trigger ${state} (now ${this.health()?.state ?? 'absent'}; states so far: ${this.states.join(' → ') || 'none'})`);
  }

  /** Call as the fault begins. */
  faultBegins(): void {
    this.faultAt = this.states.length;
  }

  /** The first BACKOFF reason since the fault began, once the trigger has gone to BACKOFF. */
  backoffReason(): string | undefined {
    return this.states.slice(this.faultAt).find((s) => s.startsWith('BACKOFF'))?.replace(/^BACKOFF:? ?/, '');
  }

  /** Waits until the trigger went to BACKOFF since the fault began (however briefly). */
  async backsOff(timeoutMs: number): Promise<string> {
    return eventually(() => this.backoffReason(), timeoutMs, `${this.adapter.family}: the trigger BACKOFF (now ${this.health()?.state ?? 'absent'}; states so far: ${this.states.join(' → ')})`);
  }

  publish(ids: number[]): Promise<void> {
    return this.adapter.publish(this.broker, ids);
  }

  /**
   * Waits until every id has an execution (or `timeoutMs` passes), keeps counting a moment for
   * late duplicates, and reports. A timeout is not thrown: the report says how many were lost.
   */
  async received(fault: string, ids: number[], timeoutMs: number): Promise<FaultReport> {
    const deadline = Date.now() + timeoutMs;
    let counts = await this.counts(ids);
    while (counts.size < ids.length && Date.now() < deadline) {
      await new Promise((r) => setTimeout(r, POLL_MS));
      counts = await this.counts(ids);
    }
    await new Promise((r) => setTimeout(r, SETTLE_MS));
    counts = await this.counts(ids);
    const executions = [...counts.values()].reduce((a, n) => a + n, 0);
    return {
      family: this.adapter.family,
      fault,
      sent: ids.length,
      executions,
      lost: ids.length - counts.size,
      duplicates: executions - counts.size,
      reason: this.backoffReason(),
      missing: ids.filter((id) => !counts.has(id)).slice(0, 10),
      seconds: Math.round((Date.now() - this.started) / 1000),
    };
  }

  async close(): Promise<void> {
    await this.engine?.close();
    await this.proxy.close();
    this.setEnv(this.savedEnv);
    this.engine = undefined;
  }

  /** Executions per id, for the ids asked about (leftovers of an earlier test are ignored). */
  private async counts(ids: number[]): Promise<Map<number, number>> {
    const engine = this.engine!;
    await engine.store.writer.flush();
    const wanted = new Set(ids);
    const counts = new Map<number, number>();
    // Every execution of the flow (a search page would stop at 10,000), read straight from the store.
    const triggers = engine.store.db.prepare(`SELECT t.trigger FROM executions e ${WITH_TRIGGER} WHERE e.flow_id = 'crash'`).pluck().all() as (string | null)[];
    for (const t of triggers) {
      const id = this.adapter.idOf((t ? JSON.parse(t).variables : {}) as Record<string, unknown>);
      if (wanted.has(id)) counts.set(id, (counts.get(id) ?? 0) + 1);
    }
    return counts;
  }

  private setEnv(env: Record<string, string | undefined>): void {
    for (const [k, v] of Object.entries(env)) {
      if (!(k in this.savedEnv)) this.savedEnv[k] = process.env[k];
      if (v === undefined) delete process.env[k];
      else process.env[k] = v;
    }
  }
}

export function faultTable(reports: FaultReport[]): string {
  const lines = ['| family | fault | sent | executions | lost | duplicates | first BACKOFF reason | seconds |', '|---|---|--:|--:|--:|--:|---|--:|'];
  for (const r of reports) {
    const reason = (r.reason ?? '—').replace(/\|/g, '\\|').replace(/\s+/g, ' ').slice(0, 90);
    lines.push(`| ${r.family} | ${r.fault} | ${r.sent} | ${r.executions} | ${r.lost} | ${r.duplicates} | ${reason} | ${r.seconds} |`);
  }
  return lines.join('\n');
}
