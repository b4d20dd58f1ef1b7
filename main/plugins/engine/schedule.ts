// Schedule trigger: a cron expression; the scheduled date is the dedup key, so a restart never
// runs the same date twice, and dates missed while the engine was down are recovered.
import { Cron } from 'croner';
import { z } from 'zod';
import { p } from '../schema';
import type { TriggerContext, TriggerDefinition, TriggerEvent } from '../types';

interface ScheduleState { lastDate: string }
const MAX_RECOVERED = 1000;

export const scheduleTrigger: TriggerDefinition = {
  kind: 'trigger',
  mode: 'schedule',
  type: 'io.kestra.plugin.core.trigger.Schedule',
  aliases: ['io.kestra.core.models.triggers.types.Schedule'],
  title: 'Schedule',
  description: 'Starts an execution on a cron schedule.',
  category: 'Triggers',
  icon: 'clock',
  props: z.object({
    cron: z.string().describe('A cron expression (5 fields, 6 with withSeconds) or @hourly, @daily …'),
    withSeconds: p.bool().default(false),
    timezone: z.string().optional().describe('An IANA time zone; the system zone by default.'),
    inputs: p.map().optional(),
    backfill: z.any().optional(),
    recoverMissedSchedules: z.enum(['ALL', 'LAST', 'NONE']).default('ALL'),
    scheduleConditions: z.array(z.any()).optional(),
    lateMaximumDelay: p.duration().optional(),
  }),
  outputs: { date: 'The scheduled date', next: 'The next scheduled date', previous: 'The previous scheduled date' },
  examples: [{ title: 'Every minute', code: `triggers:\n  - id: every_minute\n    type: io.kestra.plugin.core.trigger.Schedule\n    cron: "*/1 * * * *"` }],
  async start(ctx, props) {
    const cron = new Cron(props.cron, { timezone: props.timezone, paused: true });
    if (!cron.nextRun()) throw new Error(`cron "${props.cron}" never fires`);
    let timer: NodeJS.Timeout | undefined;
    let stopped = false;
    const state = triggerState(ctx);
    const fire = async (date: Date) => {
      const prev = cron.previousRuns(1, date)[0] ?? null;
      const event: TriggerEvent = {
        variables: { date: iso(date), next: iso(cron.nextRun(date)), previous: prev ? iso(prev) : null },
        dedupKey: date.toISOString(),
        inputs: props.inputs,
      };
      await ctx.admit(event);
      state.save({ lastDate: date.toISOString() });
    };
    // Recover dates missed while the engine was stopped.
    const last = state.load()?.lastDate;
    if (last && props.recoverMissedSchedules !== 'NONE') {
      const missed: Date[] = [];
      let d = cron.nextRun(new Date(last));
      while (d && d.getTime() <= Date.now() && missed.length < MAX_RECOVERED) {
        missed.push(d);
        d = cron.nextRun(d);
      }
      for (const date of props.recoverMissedSchedules === 'LAST' ? missed.slice(-1) : missed) await fire(date);
    }
    const arm = () => {
      if (stopped) return;
      const next = cron.nextRun();
      if (!next) return;
      // setTimeout caps at ~24.8 days: re-arm in steps.
      const wait = Math.min(next.getTime() - Date.now(), 2 ** 31 - 1);
      timer = setTimeout(() => {
        if (Date.now() + 5 < next.getTime()) return arm();
        fire(next).catch((e) => ctx.fail(e)).finally(arm);
      }, Math.max(0, wait));
    };
    arm();
    return {
      stop() {
        stopped = true;
        clearTimeout(timer);
      },
    };
  },
};

function iso(d: Date | null): string | null {
  return d ? d.toISOString() : null;
}

/** The schedule's last fired date, in the engine's trigger state table. */
function triggerState(ctx: TriggerContext) {
  const where = [ctx.flow.namespace, ctx.flow.id, ctx.trigger.id] as const;
  return {
    load: () => ctx.services.triggerState.get<ScheduleState>(...where),
    save: (s: ScheduleState) => ctx.services.triggerState.set(...where, s),
  };
}
