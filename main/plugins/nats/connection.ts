// NATS connections for the NATS plugins. Kestra's connection properties (url, username, password,
// token, creds), a URL that may carry `user:pass@` or `token@`, and errors in plain words. The
// client never reconnects by itself: a lost connection is reported to the trigger supervisor,
// which owns backoff and restarts (DESIGN.md).
import { z } from 'zod';
import { connect, credsAuthenticator, type ConnectionOptions, type NatsConnection } from 'nats';

export const connectionProps = {
  url: z
    .string()
    .min(1)
    .describe('The NATS server: (nats://)host:port. A token can ride in the URL (nats://token@host:4222), as can user and password (nats://user:pass@host:4222). Several servers: separate them with commas.'),
  username: z.string().optional().describe('Plain-text authentication: the user name (with password).'),
  password: z.string().optional().describe('Plain-text authentication: the password (with username).'),
  token: z.string().optional().describe('Token authentication.'),
  creds: z.string().optional().describe('The contents of a NATS .creds file (user JWT and NKey seed), for decentralized authentication.'),
};

export interface ConnectionProps {
  url: string;
  username?: string;
  password?: string;
  token?: string;
  creds?: string;
}

interface ParsedUrl {
  servers: string[];
  user?: string;
  pass?: string;
  token?: string;
  tls: boolean;
}

/** Splits Kestra's url (possibly several, possibly with credentials) into what nats.js expects. */
export function parseNatsUrl(url: string): ParsedUrl {
  const out: ParsedUrl = { servers: [], tls: false };
  for (const part of url.split(',').map((s) => s.trim()).filter(Boolean)) {
    const withScheme = /^[a-z][a-z0-9+.-]*:\/\//i.test(part) ? part : `nats://${part}`;
    let u: URL;
    try {
      u = new URL(withScheme);
    } catch {
      throw new Error(`the NATS url "${part}" is not valid: expected (nats://)host:port`);
    }
    if (!/^(nats|tls|natss):$/i.test(u.protocol)) {
      throw new Error(`the NATS url "${part}" uses ${u.protocol.replace(':', '')}://; expected nats:// or tls://`);
    }
    if (!u.hostname) throw new Error(`the NATS url "${part}" has no host`);
    if (/^(tls|natss):$/i.test(u.protocol)) out.tls = true;
    if (u.username) {
      if (u.password) {
        out.user = decodeURIComponent(u.username);
        out.pass = decodeURIComponent(u.password);
      } else out.token = decodeURIComponent(u.username);
    }
    out.servers.push(`${u.hostname}:${u.port || 4222}`);
  }
  if (!out.servers.length) throw new Error('the NATS url is empty: expected (nats://)host:port');
  return out;
}

const PING_INTERVAL_MS = 15_000;
const MAX_PING_OUT = 2;
/** How long a silent connection goes unnoticed at most: the ping timer fires once more after maxPingOut pings. */
export const staleAfterS = (): number => ((MAX_PING_OUT + 1) * PING_INTERVAL_MS) / 1000;

/** Builds the nats.js options: explicit properties win over credentials found in the URL. */
export function connectionOptions(props: ConnectionProps, name: string): ConnectionOptions {
  const parsed = parseNatsUrl(props.url);
  const opts: ConnectionOptions = {
    servers: parsed.servers,
    name,
    reconnect: false,
    timeout: 5000,
    // Notice a silent half-open connection within ~45 s instead of Kestra's minutes: nats.js
    // gives up when a ping timer finds maxPingOut pings unanswered (at 15, 30, 45 s).
    pingInterval: PING_INTERVAL_MS,
    maxPingOut: MAX_PING_OUT,
  };
  if (parsed.tls) opts.tls = {};
  const user = props.username ?? parsed.user;
  const pass = props.password ?? parsed.pass;
  if (user !== undefined && pass !== undefined) {
    opts.user = user;
    opts.pass = pass;
  }
  const token = props.token ?? parsed.token;
  if (token !== undefined) opts.token = token;
  if (props.creds) opts.authenticator = credsAuthenticator(new TextEncoder().encode(props.creds));
  return opts;
}

/** Connects, or throws an error that says what went wrong in plain words. */
export async function connectNats(props: ConnectionProps, name: string): Promise<NatsConnection> {
  const opts = connectionOptions(props, name);
  try {
    return await connect(opts);
  } catch (e) {
    throw natsError(e, (opts.servers as string[]).join(', '));
  }
}

/** Turns nats.js errors (codes such as CONNECTION_REFUSED) into readable ones. */
export function natsError(e: unknown, where: string): Error {
  const err = e as { code?: string; message?: string };
  const code = String(err?.code ?? '');
  const base = err?.message ?? String(e);
  let text: string | undefined;
  switch (code) {
    case 'CONNECTION_REFUSED':
    case 'ECONNREFUSED':
      text = `connection refused by ${where} — is the NATS server running?`;
      break;
    case 'AUTHORIZATION_VIOLATION':
      text = `the NATS server at ${where} refused the credentials (authorization violation): check username/password, token or creds`;
      break;
    case 'AUTHENTICATION_EXPIRED':
    case 'AUTHENTICATION_TIMEOUT':
      text = `authentication with the NATS server at ${where} failed (${base.toLowerCase()})`;
      break;
    case 'BAD_CREDS':
      text = 'the creds property is not a valid NATS credentials file (expected a user JWT and an NKey seed)';
      break;
    case 'ENOTFOUND':
    case 'EAI_AGAIN':
      text = `host not found: ${where} — check the url`;
      break;
    case 'TIMEOUT':
    case 'ETIMEDOUT':
      text = `connecting to ${where} timed out — the host did not answer`;
      break;
    case 'CONNECTION_CLOSED':
    case 'DISCONNECT':
      text = `the connection to the NATS server at ${where} was closed`;
      break;
    default:
      if (/jetstream not enabled/i.test(base) || code === '503') {
        text = `JetStream is not enabled on the NATS server at ${where}: start nats-server with -js (or enable JetStream for this account)`;
      }
  }
  if (!text) return e instanceof Error ? e : new Error(base);
  const out = new Error(text) as Error & { code?: string; cause?: unknown };
  out.code = code;
  out.cause = e;
  return out;
}

/** Kestra's message shape: headers as a map of lists. */
export function headersOf(h: Iterable<[string, string[]]> | undefined): Record<string, string[]> {
  const out: Record<string, string[]> = {};
  if (!h) return out;
  for (const [k, v] of h) out[k] = [...v];
  return out;
}

/** A connection name the server's monitoring shows: who is consuming. */
export function clientName(kind: string, ids: { namespace: string; flowId: string; id: string }): string {
  return `peregrine ${kind} ${ids.namespace}.${ids.flowId}.${ids.id}`;
}

/** Flushes and closes without ever hanging a stop: a stalled server gets 2 s. */
export async function closeQuietly(nc: NatsConnection, flush = true): Promise<void> {
  if (nc.isClosed()) return;
  const within = (p: Promise<unknown>) =>
    Promise.race([p.catch(() => {}), new Promise<void>((r) => setTimeout(r, 2000).unref())]);
  if (flush) await within(nc.flush());
  await within(nc.close());
}
