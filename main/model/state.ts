// Kestra's execution and task-run states, and the state record with its history.

export const STATES = [
  'CREATED', 'QUEUED', 'RUNNING', 'PAUSED', 'RESTARTED', 'KILLING', 'SUCCESS', 'WARNING',
  'FAILED', 'KILLED', 'CANCELLED', 'RETRYING', 'RETRIED', 'SKIPPED',
] as const;
export type StateType = (typeof STATES)[number];

const TERMINAL = new Set<StateType>(['SUCCESS', 'WARNING', 'FAILED', 'KILLED', 'CANCELLED', 'RETRIED', 'SKIPPED']);
export const isTerminal = (s: StateType): boolean => TERMINAL.has(s);
/** A terminal state that counts as failure for flow control (errors branch, allowFailure). */
export const isFailure = (s: StateType): boolean => s === 'FAILED' || s === 'KILLED';

export interface StateHistory { state: StateType; date: string }
export interface State {
  current: StateType;
  histories: StateHistory[];
  startDate: string;
  endDate?: string;
  /** ISO-8601 duration, as Kestra serialises it (PT0.123S). */
  duration?: string;
}

let isoMs = -1;
let isoText = '';
/** The ISO-8601 text of a time; a run of state changes mostly falls in the same millisecond. */
function iso(ms: number): string {
  if (ms !== isoMs) {
    isoMs = ms;
    isoText = new Date(ms).toISOString();
  }
  return isoText;
}

export function newState(at: number = Date.now()): State {
  const date = iso(at);
  return { current: 'CREATED', histories: [{ state: 'CREATED', date }], startDate: date };
}

/** Moves a state record to `next` (no-op when already there); sets endDate/duration on terminal states. */
export function transition(state: State, next: StateType, at: number = Date.now()): State {
  if (state.current === next) return state;
  const date = iso(at);
  state.current = next;
  state.histories.push({ state: next, date });
  if (isTerminal(next)) {
    state.endDate = date;
    state.duration = isoDuration(at - Date.parse(state.startDate));
  } else if (state.endDate !== undefined) {
    delete state.endDate;
    delete state.duration;
  }
  return state;
}

export function isoDuration(ms: number): string {
  return `PT${(Math.max(0, ms) / 1000).toFixed(3).replace(/\.?0+$/, '') || '0'}S`;
}
