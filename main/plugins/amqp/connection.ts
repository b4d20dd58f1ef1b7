// AMQP 0-9-1 connections for the AMQP plugins (RabbitMQ, via amqplib). Kestra's connection
// properties (`host`, `port`, `username`, `password`, `virtualHost`, and the deprecated `url`),
// connections that fail fast (the trigger supervisor owns reconnection and backoff), and broker
// errors turned into words a person understands.
import amqp, { type Channel, type ChannelModel, type ConfirmChannel, type Options } from 'amqplib';
import { z } from 'zod';

export const connectionProps = {
  url: z
    .string()
    .describe('Deprecated in Kestra (prefer host, port, username, password, virtualHost): amqp://user:password@host:port/virtualHost. Cannot be combined with host.')
    .optional(),
  host: z.string().describe('The broker host. Required unless the deprecated url is set.').optional(),
  port: z.union([z.string(), z.number()]).describe('The broker port (default 5672).').optional(),
  username: z.string().describe('The broker username (default guest).').optional(),
  password: z.string().describe('The broker password (default guest).').optional(),
  virtualHost: z.string().describe('The broker virtual host (default "/"), sent as written.').optional(),
};

export const connectionSchema = z.object(connectionProps);
export type ConnectionProps = z.infer<typeof connectionSchema>;

/** Where a connection goes, for messages (never includes the password). */
export interface Target { host: string; port: number; username: string; vhost: string; tls: boolean }

/** Resolves Kestra's connection properties (url xor host) into amqplib's connect options. */
export function resolveConnection(props: ConnectionProps, heartbeat?: number): { options: Options.Connect; target: Target } {
  if (props.url && props.host) throw new Error('set either url or host, not both (url is deprecated: prefer host, port, username, password and virtualHost)');
  let host = props.host;
  let port: number | undefined = props.port !== undefined && String(props.port).trim() !== '' ? Number(props.port) : undefined;
  let username = props.username;
  let password = props.password;
  let vhost = props.virtualHost;
  let tls = false;
  if (props.url) {
    let u: URL;
    try {
      u = new URL(props.url);
    } catch {
      throw new Error(`url is not a valid AMQP URL (expected amqp://user:password@host:5672/virtualHost): ${maskUrl(props.url)}`);
    }
    if (u.protocol !== 'amqp:' && u.protocol !== 'amqps:') throw new Error(`url must start with amqp:// or amqps://, not ${u.protocol}//`);
    tls = u.protocol === 'amqps:';
    host = u.hostname.replace(/^\[|\]$/g, '');
    if (u.port) port = Number(u.port);
    if (u.username || u.password) {
      username = decodeURIComponent(u.username);
      password = decodeURIComponent(u.password);
    }
    // As Kestra does: the URL's path, when there is one, is the virtual host as written.
    if (u.pathname) vhost = decodeURIComponent(u.pathname);
  }
  if (!host) throw new Error('host is required (the RabbitMQ host name, e.g. localhost)');
  if (port === undefined) port = tls ? 5671 : 5672;
  if (!Number.isInteger(port) || port <= 0 || port > 65535) throw new Error(`port must be a TCP port number, not "${props.port}"`);
  vhost = vhost === undefined || vhost === '' ? '/' : vhost;
  const options: Options.Connect = {
    protocol: tls ? 'amqps' : 'amqp',
    hostname: host,
    port,
    username: username ?? 'guest',
    password: password ?? 'guest',
    vhost,
    ...(heartbeat !== undefined ? { heartbeat } : {}),
  };
  return { options, target: { host, port, username: options.username!, vhost, tls } };
}

export interface OpenOptions {
  /** Heartbeat in seconds: a silent broker is noticed after about twice this. */
  heartbeat?: number;
  /** Milliseconds to wait for the TCP connection and the AMQP handshake. */
  timeoutMs?: number;
}

export interface AmqpConnection {
  model: ChannelModel;
  target: Target;
  /** Called once when the connection or any channel opened with `channel()` is lost. */
  onLost(fn: (e: Error) => void): void;
  channel(): Promise<Channel>;
  /** Closes everything without reporting a loss. */
  close(): Promise<void>;
}

/** Opens a connection; the error, when it fails, is already explained. */
export async function open(props: ConnectionProps, opts: OpenOptions = {}): Promise<AmqpConnection> {
  const { options, target } = resolveConnection(props, opts.heartbeat);
  let model: ChannelModel;
  try {
    model = await amqp.connect(options, { timeout: opts.timeoutMs ?? 10_000, noDelay: true, clientProperties: { connection_name: 'peregrine' } });
  } catch (e) {
    throw explain(e, { target });
  }
  let closing = false;
  let lost: ((e: Error) => void) | undefined;
  let loss: Error | undefined;
  let lastError: unknown;
  const report = (e: unknown) => {
    if (closing || loss) return;
    loss = explain(e, { target });
    lost?.(loss);
  };
  model.on('error', (e: Error) => (lastError = e));
  model.on('close', (e?: Error) => report(e ?? lastError ?? new Error(`the connection to RabbitMQ at ${target.host}:${target.port} was closed`)));
  return {
    model,
    target,
    onLost(fn) {
      lost = fn;
      if (loss) fn(loss); // lost before anyone listened
    },
    async channel() {
      const ch = await model.createChannel();
      let channelError: unknown;
      ch.on('error', (e: Error) => (channelError = e));
      // A lost connection closes its channels first: let the connection's own reason win.
      ch.on('close', () => setImmediate(() => report(channelError ?? new Error('the AMQP channel was closed'))));
      return ch;
    },
    async close() {
      closing = true;
      await closeModel(model);
    },
  };
}

/** Runs `fn` on a fresh connection and channel, then closes them (producer tasks). */
export async function withChannel<T>(props: ConnectionProps, fn: (ch: Channel, target: Target) => Promise<T>, confirm = false): Promise<T> {
  const conn = await open(props);
  try {
    let channelError: unknown;
    const ch = confirm ? await conn.model.createConfirmChannel() : await conn.model.createChannel();
    ch.on('error', (e: Error) => (channelError = e));
    try {
      return await fn(ch, conn.target);
    } catch (e) {
      // When the broker closed the channel, its reason (NOT_FOUND …) says more than "channel closed".
      throw explain(channelError ?? e, { target: conn.target });
    }
  } finally {
    await conn.close();
  }
}

/** The inspector's "send test event": one persistent message to a queue, confirmed by the broker. */
export async function publishToQueue(
  props: ConnectionProps, queue: string, message: { payload: string; key?: string; headers?: Record<string, string> },
): Promise<void> {
  await withChannel(props, async (ch) => {
    ch.sendToQueue(queue, Buffer.from(message.payload, 'utf8'), {
      persistent: true,
      ...(message.headers ? { headers: message.headers } : {}),
      ...(message.key ? { messageId: message.key } : {}),
    });
    await (ch as ConfirmChannel).waitForConfirms();
  }, true);
}

/** Resolves with `p`, or rejects after `ms` (a broker that stopped answering). */
export function within<T>(p: Promise<T>, ms: number): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  return Promise.race([
    p,
    new Promise<never>((_, reject) => {
      timer = setTimeout(() => reject(new Error(`RabbitMQ did not answer within ${ms} ms`)), ms);
    }),
  ]).finally(() => clearTimeout(timer));
}

/** Closes a connection politely, or drops its socket when the broker does not answer. */
async function closeModel(model: ChannelModel): Promise<void> {
  try {
    await within(model.close(), 3000);
  } catch {
    (model.connection as unknown as { stream?: { destroy(): void } }).stream?.destroy();
  }
}

const EXPLAINED = new WeakSet<Error>();

/** Where an error happened, to name things in the explanation. */
export interface ErrorContext { target?: Target; queue?: string; exchange?: string }

/**
 * Turns amqplib errors into plain words: a refused login, a missing virtual host, queue or
 * exchange, a broker shutdown. Socket errors (ECONNREFUSED …) are kept as they are, with their
 * code, for the supervisor's own wording.
 */
export function explain(e: unknown, where: ErrorContext = {}): Error {
  if (e instanceof Error && (e as NodeJS.ErrnoException).code && typeof (e as NodeJS.ErrnoException).code === 'string') return e;
  // Already in plain words (an error explained where it happened, passed up): said once, not nested.
  if (e instanceof Error && EXPLAINED.has(e)) return e;
  const text = e instanceof Error ? e.message : e && typeof e === 'object' && 'fields' in e ? frameText(e) : String(e);
  const t = where.target;
  const at = t ? `RabbitMQ at ${t.host}:${t.port}` : 'RabbitMQ';
  const server = /with message "([^"]*)"/.exec(text)?.[1] ?? text;
  const out = (msg: string) => {
    const explained = Object.assign(new Error(msg), { cause: e });
    EXPLAINED.add(explained);
    return explained;
  };
  if (/ACCESS[-_]REFUSED/.test(text)) {
    if (/Login was refused/i.test(text)) {
      return out(`ACCESS_REFUSED: ${at} refused the login${t ? ` of user "${t.username}"` : ''} — check username/password (${server})`);
    }
    return out(`ACCESS_REFUSED: ${at} refused access${t ? ` for user "${t.username}" on virtual host "${t.vhost}"` : ''} — check the user's permissions (${server})`);
  }
  if (/Expected ConnectionOpenOk; got <ConnectionClose/.test(text)) {
    return out(`NOT_ALLOWED: ${at} refused to open the virtual host${t ? ` "${t.vhost}"` : ''}: it does not exist, or${t ? ` user "${t.username}"` : ' the user'} has no permission on it — check virtualHost (it is sent as written, a leading "/" included)`);
  }
  if (/NOT[-_]ALLOWED/.test(text) && /vhost/i.test(text)) {
    return out(`NOT_ALLOWED: the virtual host${t ? ` "${t.vhost}"` : ''} does not exist on ${at} or the user may not use it — check virtualHost (it is sent as written, a leading "/" included) (${server})`);
  }
  if (/NOT[-_]FOUND/.test(text)) {
    const queue = /no queue '([^']*)'/.exec(text)?.[1] ?? where.queue;
    const exchange = /no exchange '([^']*)'/.exec(text)?.[1];
    const vhost = /in vhost '([^']*)'/.exec(text)?.[1] ?? t?.vhost;
    if (exchange !== undefined) {
      return out(`NOT_FOUND: the exchange "${exchange}" does not exist in virtual host "${vhost}" — declare it first (io.kestra.plugin.amqp.DeclareExchange) or check its name (${server})`);
    }
    if (queue !== undefined) {
      return out(`NOT_FOUND: the queue "${queue}" does not exist in virtual host "${vhost}" — create it first (io.kestra.plugin.amqp.CreateQueue) or check its name (${server})`);
    }
    return out(`NOT_FOUND: ${server}`);
  }
  if (/PRECONDITION[-_]FAILED/.test(text)) return out(`PRECONDITION_FAILED: ${server} — the queue or exchange already exists with other settings`);
  if (/RESOURCE[-_]LOCKED/.test(text)) return out(`RESOURCE_LOCKED: ${server} — another connection holds it exclusively`);
  if (/CONNECTION[-_]FORCED/.test(text)) return out(`${at} closed the connection: ${server} — the broker was stopped or restarted, or an operator closed the connection`);
  if (/Heartbeat timeout/i.test(text)) return out(`${at} stopped answering (heartbeat timeout) — the connection is considered lost`);
  if (/Unexpected close|ECONNRESET|socket closed/i.test(text)) return out(`the connection to ${at} was lost (${text})`);
  if (/connect ETIMEDOUT/.test(text)) return out(`connection timed out — ${at} did not answer`);
  return e instanceof Error ? e : out(text);
}

function frameText(f: unknown): string {
  const fields = (f as { fields?: { replyCode?: number; replyText?: string } }).fields;
  return `${fields?.replyCode ?? ''} with message "${fields?.replyText ?? ''}"`;
}

function maskUrl(url: string): string {
  return url.replace(/\/\/([^:@/]*):[^@/]*@/, '//$1:***@');
}

// ── message properties ───────────────────────────────────────────────────────

/** Milliseconds → ISO-8601 duration as Java's Duration prints it (PT1M, PT1.5S). */
export function isoDuration(ms: number): string {
  if (!ms) return 'PT0S';
  const neg = ms < 0;
  let rest = Math.abs(ms);
  const h = Math.floor(rest / 3_600_000);
  rest -= h * 3_600_000;
  const m = Math.floor(rest / 60_000);
  rest -= m * 60_000;
  const s = rest / 1000;
  const sign = neg ? '-' : '';
  return `PT${h ? `${sign}${h}H` : ''}${m ? `${sign}${m}M` : ''}${s ? `${sign}${Number(s.toFixed(3))}S` : ''}`;
}

/** An instant as Java prints it (no milliseconds when there are none). */
export function isoInstant(ms: number): string {
  return new Date(ms).toISOString().replace('.000Z', 'Z');
}

/** Kestra's header values are strings (String.valueOf each value). */
export function headerText(v: unknown): string {
  if (typeof v === 'string') return v;
  if (Buffer.isBuffer(v)) return v.toString('utf8');
  if (v === null || v === undefined) return 'null';
  if (typeof v === 'object') {
    const tagged = v as { '!'?: string; value?: unknown };
    if (tagged['!'] === 'timestamp' && typeof tagged.value === 'number') return new Date(tagged.value * 1000).toString();
    return JSON.stringify(v, (_k, x) => (Buffer.isBuffer(x) ? x.toString('utf8') : typeof x === 'bigint' ? x.toString() : x));
  }
  return String(v);
}
