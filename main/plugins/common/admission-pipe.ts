// Admit, then acknowledge — without making the next event wait for this one's commit.
// A consumer that awaits each commit before it takes more leaves events waiting at the broker
// whenever a commit is slow (a checkpoint, a GC pause on the writer): their executions are created
// late. The pipe admits each batch the moment it arrives (its executions are created then; the store
// groups concurrent admissions into one commit) and runs the batches' acknowledgements in arrival
// order, each once its own commit is done. The in-flight cap counts what is still being committed.
import type { AdmitResult, TriggerContext, TriggerEvent } from '../types';

export interface Settlement {
  /** The batch is committed: the source may forget it. */
  ack(results: AdmitResult[]): void | Promise<void>;
  /** The batch could not be committed: hand it back to the source (when the source can take it). */
  nack?(error: unknown): void | Promise<void>;
}

export class AdmissionPipe {
  /** Events pushed whose commit has not settled yet. */
  private admitting = 0;
  private acks: Promise<void> = Promise.resolve();
  private failed = false;
  private onSettle: (() => void)[] = [];

  constructor(private readonly ctx: Pick<TriggerContext, 'admitMany' | 'inFlight' | 'maxInFlight' | 'waitForCapacity' | 'fail' | 'signal'>) {}

  /** How many more events may be taken now (at most `max`): the cap less those running or being admitted. */
  room(max = Infinity): number {
    return Math.max(0, Math.min(max, this.ctx.maxInFlight - this.ctx.inFlight() - this.admitting));
  }

  /** Resolves once room() > 0 (or the trigger is stopping). */
  async waitForRoom(): Promise<void> {
    while (!this.ctx.signal.aborted && this.room() === 0) {
      if (this.admitting > 0) await new Promise<void>((resolve) => this.onSettle.push(resolve));
      else await this.ctx.waitForCapacity();
    }
  }

  /** Admits the batch now; its acknowledgement runs after its commit and after every earlier batch's. */
  push(events: TriggerEvent[], settlement: Settlement): void {
    this.admitting += events.length;
    let results: AdmitResult[] = [];
    // An empty batch (everything filtered out) still takes its turn: its acknowledgement moves offsets on.
    const committed = (events.length ? this.ctx.admitMany(events) : Promise.resolve([])).then(
      (r) => void (results = r),
      (e: unknown) => e ?? new Error('admission failed'),
    );
    this.acks = this.acks.then(async () => {
      const error = await committed;
      this.admitting -= events.length;
      for (const wake of this.onSettle.splice(0)) wake();
      // After one failure nothing later is acknowledged: the trigger restarts and the source redelivers.
      if (error !== undefined || this.failed) {
        this.failed = true;
        await Promise.resolve(settlement.nack?.(error)).catch(() => {});
        if (error !== undefined) this.ctx.fail(error);
        return;
      }
      await Promise.resolve(settlement.ack(results)).catch((e: unknown) => this.ctx.fail(e));
    });
  }

  /** Resolves once every batch pushed so far is committed and acknowledged (or handed back). */
  drained(): Promise<void> {
    return this.acks;
  }
}
