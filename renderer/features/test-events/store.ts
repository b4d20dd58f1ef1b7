// "Send a test event" to a trigger's real source (`triggers.testEvent`): the message being written
// per trigger, payload templates saved per flow in localStorage, "send N at a rate", and the
// outcome of the last send.
import { create } from 'zustand';
import { bridge } from '../../app/bridge';

export interface Draft {
  payload: string;
  key: string;
  headers: [string, string][];
  attributes: [string, string][];
  count: number;
  /** Messages per second; empty: as fast as the source takes them. */
  rate: string;
}

export interface Template {
  name: string;
  payload: string;
  key?: string;
  headers?: [string, string][];
  attributes?: [string, string][];
}

interface Saved {
  draft?: Draft;
  templates: Template[];
}

export interface SendOutcome {
  ok: boolean;
  text: string;
  at: number;
  sent?: number;
  ms?: number;
}

/** What each broker family's test message can carry (from the trigger type). */
export interface SourceFields {
  family: string;
  key?: string;
  headers?: string;
  attributes?: string;
  payload: string;
  how: string;
}

export function fieldsFor(type: string): SourceFields {
  const t = type.toLowerCase();
  if (t.includes('.kafka.')) return { family: 'kafka', key: 'Key', headers: 'Headers', payload: 'Value', how: "Produces a record to the trigger's topic." };
  if (t.includes('.amqp.')) return { family: 'amqp', key: 'Message id', headers: 'Headers', payload: 'Body', how: "Publishes to the trigger's queue." };
  if (t.includes('.sqs.')) return { family: 'sqs', attributes: 'Message attributes', payload: 'Body', how: "Sends a message to the trigger's queue." };
  if (t.includes('.pubsub.')) return { family: 'pubsub', attributes: 'Attributes', payload: 'Data', how: "Publishes to the subscription's topic." };
  if (t.includes('.redis.')) return { family: 'redis', payload: 'Element', how: "Pushes the element to the trigger's list." };
  if (t.includes('.mqtt.')) return { family: 'mqtt', headers: 'User properties (MQTT 5)', payload: 'Payload', how: "Publishes to the trigger's topic." };
  if (t.includes('.nats.')) return { family: 'nats', headers: 'Headers', payload: 'Data', how: "Publishes to the trigger's subject." };
  if (t.includes('postgres') || t.includes('debezium')) return { family: 'postgres', payload: 'SQL', how: 'Runs the SQL on the database: the change it makes is captured.' };
  if (t.endsWith('.webhook')) return { family: 'webhook', headers: 'Headers', payload: 'Body', how: 'POSTs the body to the webhook.' };
  return { family: 'other', payload: 'Payload', how: "Publishes to the trigger's source." };
}

export function defaultDraft(type: string): Draft {
  const f = fieldsFor(type).family;
  const payload =
    f === 'mqtt' ? '{"celsius": 42}' : f === 'postgres' ? "INSERT INTO orders (customer, amount) VALUES ('ada', 42.5);" : '{"order_id": 1, "customer": "ada", "amount": 42.5}';
  return { payload, key: '', headers: [], attributes: [], count: 1, rate: '' };
}

export const storageKey = (namespace: string, flowId: string): string => `peregrine.testEvents.${namespace}/${flowId}`;

type Store = Pick<Storage, 'getItem' | 'setItem'>;
const local = (): Store | undefined => {
  try {
    return typeof localStorage === 'undefined' ? undefined : localStorage;
  } catch {
    return undefined;
  }
};

/** The flow's saved drafts and templates, by trigger id. */
export function loadSaved(namespace: string, flowId: string, storage: Store | undefined = local()): Record<string, Saved> {
  try {
    const raw = storage?.getItem(storageKey(namespace, flowId));
    const parsed = raw ? (JSON.parse(raw) as Record<string, Saved>) : {};
    return parsed && typeof parsed === 'object' ? parsed : {};
  } catch {
    return {};
  }
}

export function writeSaved(namespace: string, flowId: string, triggerId: string, saved: Saved, storage: Store | undefined = local()): void {
  try {
    const all = loadSaved(namespace, flowId, storage);
    all[triggerId] = saved;
    storage?.setItem(storageKey(namespace, flowId), JSON.stringify(all));
  } catch {
    // storage full or unavailable: templates are a convenience
  }
}

const pairs = (list: [string, string][]): Record<string, string> | undefined => {
  const out = Object.fromEntries(list.filter(([k]) => k.trim()).map(([k, v]) => [k.trim(), v]));
  return Object.keys(out).length ? out : undefined;
};

/** The `triggers.testEvent` input for a draft (validated: count ≥ 1, rate > 0 when given). */
export function toInput(ref: { namespace: string; flowId: string; triggerId: string }, d: Draft): { input?: ReturnType<typeof buildInput>; error?: string } {
  if (!Number.isInteger(d.count) || d.count < 1 || d.count > 100_000) return { error: 'Count: a whole number from 1 to 100,000.' };
  const rate = d.rate.trim() ? Number(d.rate) : undefined;
  if (rate !== undefined && !(rate > 0)) return { error: 'Rate: a number of messages per second above 0, or empty.' };
  return { input: buildInput(ref, { ...d, rate: rate === undefined ? '' : String(rate) }) };
}

function buildInput(ref: { namespace: string; flowId: string; triggerId: string }, d: Draft) {
  const headers = pairs(d.headers);
  const attributes = pairs(d.attributes);
  return {
    ...ref,
    payload: d.payload,
    ...(d.key ? { key: d.key } : {}),
    ...(headers ? { headers } : {}),
    ...(attributes ? { attributes } : {}),
    count: d.count,
    ...(d.rate ? { ratePerSecond: Number(d.rate) } : {}),
  };
}

interface TestEventsState {
  drafts: Record<string, Draft>;
  templates: Record<string, Template[]>;
  sending: Record<string, boolean>;
  outcomes: Record<string, SendOutcome>;
  /** Loads a trigger's draft and templates (from localStorage) once. */
  open(namespace: string, flowId: string, triggerId: string, type: string): void;
  setDraft(namespace: string, flowId: string, triggerId: string, patch: Partial<Draft>): void;
  saveTemplate(namespace: string, flowId: string, triggerId: string, name: string): void;
  deleteTemplate(namespace: string, flowId: string, triggerId: string, name: string): void;
  applyTemplate(namespace: string, flowId: string, triggerId: string, name: string): void;
  send(namespace: string, flowId: string, triggerId: string): Promise<SendOutcome>;
}

export const keyOf = (namespace: string, flowId: string, triggerId: string): string => `${namespace}/${flowId}/${triggerId}`;

export const useTestEvents = create<TestEventsState>((set, get) => {
  const persist = (ns: string, flow: string, trig: string) => {
    const k = keyOf(ns, flow, trig);
    writeSaved(ns, flow, trig, { draft: get().drafts[k], templates: get().templates[k] ?? [] });
  };
  return {
    drafts: {},
    templates: {},
    sending: {},
    outcomes: {},
    open(ns, flow, trig, type) {
      const k = keyOf(ns, flow, trig);
      if (get().drafts[k]) return;
      const saved = loadSaved(ns, flow)[trig];
      set({
        drafts: { ...get().drafts, [k]: { ...defaultDraft(type), ...(saved?.draft ?? {}) } },
        templates: { ...get().templates, [k]: saved?.templates ?? [] },
      });
    },
    setDraft(ns, flow, trig, patch) {
      const k = keyOf(ns, flow, trig);
      set({ drafts: { ...get().drafts, [k]: { ...(get().drafts[k] ?? defaultDraft('')), ...patch } } });
      persist(ns, flow, trig);
    },
    saveTemplate(ns, flow, trig, name) {
      const k = keyOf(ns, flow, trig);
      const d = get().drafts[k];
      if (!d || !name.trim()) return;
      const t: Template = { name: name.trim(), payload: d.payload, key: d.key, headers: d.headers, attributes: d.attributes };
      const list = (get().templates[k] ?? []).filter((x) => x.name !== t.name);
      set({ templates: { ...get().templates, [k]: [...list, t] } });
      persist(ns, flow, trig);
    },
    deleteTemplate(ns, flow, trig, name) {
      const k = keyOf(ns, flow, trig);
      set({ templates: { ...get().templates, [k]: (get().templates[k] ?? []).filter((x) => x.name !== name) } });
      persist(ns, flow, trig);
    },
    applyTemplate(ns, flow, trig, name) {
      const k = keyOf(ns, flow, trig);
      const t = (get().templates[k] ?? []).find((x) => x.name === name);
      if (!t) return;
      get().setDraft(ns, flow, trig, { payload: t.payload, key: t.key ?? '', headers: t.headers ?? [], attributes: t.attributes ?? [] });
    },
    async send(ns, flow, trig) {
      const k = keyOf(ns, flow, trig);
      const d = get().drafts[k];
      const fail = (text: string): SendOutcome => {
        const o = { ok: false, text, at: Date.now() };
        set({ outcomes: { ...get().outcomes, [k]: o }, sending: { ...get().sending, [k]: false } });
        return o;
      };
      if (!d) return fail('Nothing to send.');
      const { input, error } = toInput({ namespace: ns, flowId: flow, triggerId: trig }, d);
      if (!input) return fail(error!);
      set({ sending: { ...get().sending, [k]: true } });
      const started = performance.now();
      const r = await bridge().call('triggers.testEvent', input);
      if (!r.ok) return fail(r.error.message);
      const ms = performance.now() - started;
      const o: SendOutcome = { ok: true, sent: r.value.sent, ms, at: Date.now(), text: `Sent ${r.value.sent} message${r.value.sent === 1 ? '' : 's'} in ${ms < 1000 ? `${Math.round(ms)} ms` : `${(ms / 1000).toFixed(1)} s`}.` };
      set({ outcomes: { ...get().outcomes, [k]: o }, sending: { ...get().sending, [k]: false } });
      return o;
    },
  };
});
