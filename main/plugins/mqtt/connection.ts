// MQTT connections for the MQTT plugins (mqtt.js). The client never reconnects by itself: the
// trigger supervisor owns reconnection and backoff, so a lost connection is reported at once.
// Errors are turned into plain words; a broker that refuses MQTT 5 is retried once with 3.1.1.
import fs from 'node:fs';
import mqtt, { type IClientOptions, type IConnackPacket, type IPublishPacket, type MqttClient } from 'mqtt';
import { z } from 'zod';
import { p, parseDuration } from '../schema';
import type { Logger } from '../types';

/** Connection properties shared by every MQTT plugin (Kestra's MqttConnectionInterface). */
export const connectionProps = {
  server: z.string().describe('The broker to connect to, as a URI: tcp://localhost:1883, ssl://localhost:8883 (also mqtt://, mqtts://, ws://, wss://). Without a port: 1883, or 8883 for ssl:// and mqtts://.'),
  mqttVersion: p.enum(['V3', 'V5'], 'The MQTT version: V5 (MQTT 5) or V3 (MQTT 3.1.1). A broker that refuses MQTT 5 is retried with 3.1.1.').default('V5'),
  version: z.string().describe('Older name of mqttVersion (V3 or V5). Any other value is taken for a Kestra plugin version and ignored.').optional(),
  clientId: z.string().describe('A client identifier unique on the broker. The broker keeps the session (subscriptions and queued messages) under this id, so keep it stable, and give every trigger and task its own.'),
  connectionTimeout: p.duration('How long to wait for the broker to accept the connection (default 30 s).').optional(),
  httpsHostnameVerificationEnabled: p.bool('With ssl://: whether the host name must match the server certificate (default true).').optional(),
  authMethod: z.string().describe('MQTT 5 only: the name of the extended authentication method.').optional(),
  username: z.string().describe('The user name to connect with.').optional(),
  password: z.string().describe('The password to connect with.').optional(),
  crt: z.string().describe('The CA certificate that signed the server certificate, for ssl://: a file path or the PEM text itself.').optional(),
};

export interface ConnectionProps {
  server: string;
  mqttVersion: 'V3' | 'V5';
  version?: string;
  clientId: string;
  connectionTimeout?: string;
  httpsHostnameVerificationEnabled?: boolean;
  authMethod?: string;
  username?: string;
  password?: string;
  crt?: string;
}

export const serdeTypes = ['STRING', 'JSON', 'BYTES'] as const;

/** A session the broker keeps for a week after we disconnect (MQTT 5); MQTT 3.1.1 keeps it until the broker's own limit. */
export const SESSION_EXPIRY_S = 7 * 24 * 3600;

export interface OpenOptions {
  /** false: a persistent session (queued QoS 1/2 messages wait for us while we are away). */
  clean: boolean;
  logger: Logger;
  /** Installed before any packet is read, so that a message queued in the session is never acked early. */
  setup?(client: MqttClient): void;
  /** Gives up connecting when aborted (the trigger is stopped, the task killed). */
  signal?: AbortSignal;
}

export interface Opened {
  client: MqttClient;
  connack: IConnackPacket;
  /** 5 or 4 (MQTT 3.1.1), after a possible fallback. */
  protocolVersion: 4 | 5;
}

/** The broker URL as mqtt.js understands it, with Kestra's tcp:// and ssl:// schemes and default ports. */
export function brokerUrl(server: string): { url: string; secure: boolean; host: string } {
  let text = server.trim();
  if (!/^[a-z][a-z0-9+.-]*:\/\//i.test(text)) text = `tcp://${text}`;
  let u: URL;
  try {
    u = new URL(text);
  } catch {
    throw new Error(`invalid server "${server}": expected a URI such as tcp://localhost:1883`);
  }
  const scheme = u.protocol.replace(/:$/, '').toLowerCase();
  const map: Record<string, { proto: string; port: number; secure: boolean }> = {
    tcp: { proto: 'mqtt', port: 1883, secure: false },
    mqtt: { proto: 'mqtt', port: 1883, secure: false },
    ssl: { proto: 'mqtts', port: 8883, secure: true },
    tls: { proto: 'mqtts', port: 8883, secure: true },
    mqtts: { proto: 'mqtts', port: 8883, secure: true },
    ws: { proto: 'ws', port: 80, secure: false },
    wss: { proto: 'wss', port: 443, secure: true },
  };
  const m = map[scheme];
  if (!m) throw new Error(`invalid server "${server}": the scheme ${scheme}:// is not supported (use tcp://, ssl://, mqtt://, mqtts://, ws:// or wss://)`);
  const port = u.port || String(m.port);
  const path = m.proto.startsWith('ws') ? u.pathname || '/mqtt' : '';
  return { url: `${m.proto}://${u.hostname}:${port}${path}`, secure: m.secure, host: `${u.hostname}:${port}` };
}

/** Connects (failing fast, never reconnecting); with MQTT 5 refused, tries MQTT 3.1.1 once. */
export async function openClient(props: ConnectionProps, opts: OpenOptions): Promise<Opened> {
  const named = props.version === 'V3' || props.version === 'V5' ? props.version : props.mqttVersion;
  const wanted = named === 'V3' ? 4 : 5;
  try {
    return await connectOnce(props, opts, wanted);
  } catch (e) {
    if (wanted === 5 && unsupportedVersion(e)) {
      opts.logger.warn(`The MQTT broker at ${props.server} does not speak MQTT 5; connecting with MQTT 3.1.1 instead (set mqttVersion: V3 to skip this attempt)`);
      return connectOnce(props, opts, 4);
    }
    throw e;
  }
}

function unsupportedVersion(e: unknown): boolean {
  const code = (e as { code?: unknown }).code;
  return code === 1 || code === 132;
}

async function connectOnce(props: ConnectionProps, opts: OpenOptions, protocolVersion: 4 | 5): Promise<Opened> {
  const { url, secure, host } = brokerUrl(props.server);
  const timeoutMs = props.connectionTimeout ? parseDuration(props.connectionTimeout) ?? 30_000 : 30_000;
  const options: IClientOptions = {
    clientId: props.clientId,
    protocolVersion,
    clean: opts.clean,
    reconnectPeriod: 0,
    resubscribe: false,
    connectTimeout: timeoutMs > 0 ? timeoutMs : 2_147_483_647, // PT0S: no timeout, as in Kestra
    keepalive: 30,
    ...(props.username !== undefined ? { username: props.username } : {}),
    ...(props.password !== undefined ? { password: props.password } : {}),
    ...(protocolVersion === 5
      ? {
          properties: {
            ...(opts.clean ? {} : { sessionExpiryInterval: SESSION_EXPIRY_S }),
            ...(props.authMethod ? { authenticationMethod: props.authMethod } : {}),
          },
        }
      : {}),
  };
  if (secure) {
    if (props.crt) options.ca = readCertificate(props.crt);
    // mqtt.js hands the options to tls.connect
    if (props.httpsHostnameVerificationEnabled === false) (options as IClientOptions & { checkServerIdentity?: () => undefined }).checkServerIdentity = () => undefined;
  }
  if (props.authMethod && protocolVersion !== 5) opts.logger.warn('authMethod is an MQTT 5 feature: it is ignored with MQTT 3.1.1');

  const client = mqtt.connect(url, options);
  // mqtt.js reports many things as 'error' events: one without a listener would crash the engine.
  client.on('error', () => {});
  opts.setup?.(client);
  return new Promise<Opened>((resolve, reject) => {
    let lastError: Error | undefined;
    const onAbort = () => {
      lastError = new Error('connecting was cancelled');
      client.end(true);
    };
    const cleanup = () => {
      client.off('connect', onConnect);
      client.off('error', onError);
      client.off('close', onClose);
      opts.signal?.removeEventListener('abort', onAbort);
    };
    const onConnect = (connack: IConnackPacket) => {
      cleanup();
      resolve({ client, connack, protocolVersion });
    };
    const onError = (e: Error) => {
      lastError = e;
    };
    const onClose = () => {
      cleanup();
      client.end(true);
      reject(describeConnectError(lastError, props.server, host, timeoutMs));
    };
    client.on('connect', onConnect);
    client.on('error', onError);
    client.on('close', onClose);
    if (opts.signal?.aborted) onAbort();
    else opts.signal?.addEventListener('abort', onAbort, { once: true });
  });
}

function readCertificate(crt: string): string {
  if (crt.includes('-----BEGIN')) return crt;
  try {
    return fs.readFileSync(crt, 'utf8');
  } catch (e) {
    throw new Error(`cannot read the certificate file ${crt} (crt): ${(e as Error).message}`);
  }
}

const CONNACK_WORDS: Record<number, string> = {
  1: 'it does not accept this MQTT version (try mqttVersion: V3)',
  2: 'it rejected the client identifier (clientId)',
  3: 'the server is unavailable',
  4: 'bad user name or password — check username and password',
  5: 'not authorized — check username, password and the broker ACL',
  132: 'it does not accept this MQTT version (try mqttVersion: V3)',
  133: 'it rejected the client identifier (clientId)',
  134: 'bad user name or password — check username and password',
  135: 'not authorized — check username, password and the broker ACL',
  136: 'the server is unavailable',
  137: 'the server is busy',
  138: 'this client is banned',
  140: 'bad authentication method (authMethod)',
};

const TLS_TRUST_CODES = new Set(['UNABLE_TO_VERIFY_LEAF_SIGNATURE', 'SELF_SIGNED_CERT_IN_CHAIN', 'DEPTH_ZERO_SELF_SIGNED_CERT', 'UNABLE_TO_GET_ISSUER_CERT_LOCALLY', 'CERT_UNTRUSTED']);

/** Socket errors keep their code (the supervisor words ECONNREFUSED, ENOTFOUND …); CONNACK refusals get words here. */
function describeConnectError(e: Error | undefined, server: string, host: string, timeoutMs: number): Error {
  if (!e) return new Error(`the MQTT broker at ${server} closed the connection before accepting it`);
  const code = (e as { code?: unknown }).code;
  if (typeof code === 'number') {
    const words = CONNACK_WORDS[code] ?? e.message.replace(/^Connection refused: /, '').toLowerCase();
    const err = new Error(`the MQTT broker at ${server} refused the connection: ${words}`);
    (err as Error & { reasonCode?: number }).reasonCode = code;
    (err as Error & { code?: number }).code = code;
    return err;
  }
  if (code === 'ERR_TLS_CERT_ALTNAME_INVALID') return new Error(`the TLS certificate of ${host} does not name that host (${e.message.trim()}) — connect with the name it holds, or set httpsHostnameVerificationEnabled: false`);
  if (typeof code === 'string' && TLS_TRUST_CODES.has(code)) return new Error(`the TLS certificate of ${host} is not trusted (${code}) — give the CA that signed it in crt`);
  if (e.message === 'connack timeout') return new Error(`the MQTT broker at ${host} did not accept the connection within ${Math.round(timeoutMs / 1000)} s (connectionTimeout)`);
  return e;
}

/**
 * Disconnects cleanly: the acks already written reach the broker before the socket closes (a
 * forced close could drop the last PUBACKs and have those messages delivered again). A broker
 * that does not close its side within `timeoutMs` gets the socket destroyed.
 */
export async function closeClient(client: MqttClient, timeoutMs = 2000): Promise<void> {
  if (client.disconnected) return;
  await new Promise<void>((resolve) => {
    const timer = setTimeout(() => {
      client.stream?.destroy();
      resolve();
    }, timeoutMs);
    client.end(false, {}, () => {
      clearTimeout(timer);
      resolve();
    });
  });
}

/** Plain words for a connection that was lost after it was established. */
export function lostConnectionError(server: string, lastError: Error | undefined, disconnectReason: number | undefined, clientId: string): Error {
  if (disconnectReason === 142) return new Error(`the MQTT broker at ${server} closed the connection: another client connected with the same clientId "${clientId}" (give every trigger and task its own clientId)`);
  if (disconnectReason !== undefined && disconnectReason !== 0) return new Error(`the MQTT broker at ${server} closed the connection (MQTT 5 reason code ${disconnectReason})`);
  if (lastError) return Object.assign(new Error(`the connection to the MQTT broker at ${server} was lost: ${lastError.message}`), { code: (lastError as { code?: unknown }).code });
  return new Error(`the connection to the MQTT broker at ${server} was lost`);
}

/** Does an MQTT topic match a subscription filter (with + and # wildcards)? */
export function topicMatches(filter: string, topic: string): boolean {
  let f = filter;
  if (f.startsWith('$share/')) f = f.split('/').slice(2).join('/'); // shared subscriptions: $share/group/filter
  const fs_ = f.split('/');
  const ts = topic.split('/');
  if (topic.startsWith('$') && (fs_[0] === '#' || fs_[0] === '+')) return false;
  for (let i = 0; i < fs_.length; i++) {
    if (fs_[i] === '#') return true;
    if (i >= ts.length) return false;
    if (fs_[i] !== '+' && fs_[i] !== ts[i]) return false;
  }
  return fs_.length === ts.length;
}

/** The `trigger.*` variables of one message, except the payload (Kestra's Message plus MQTT 5 fields). */
export function messageVariables(topic: string, packet: IPublishPacket): Record<string, unknown> {
  const props = (packet.properties ?? {}) as Record<string, unknown>;
  const properties: Record<string, unknown> = {};
  for (const [k, v] of Object.entries(props)) {
    if (k === 'topicAlias' || v === undefined) continue;
    properties[k] = Buffer.isBuffer(v) ? v.toString('base64') : v;
  }
  const correlation = props.correlationData;
  return {
    id: packet.messageId ?? 0,
    topic,
    qos: packet.qos,
    properties,
    retain: Boolean(packet.retain),
    responseTopic: typeof props.responseTopic === 'string' ? props.responseTopic : null,
    correlationData: Buffer.isBuffer(correlation) ? correlation.toString('base64') : null,
  };
}

/** A topic property: a string or a list, none empty. */
export function topicList(topic: string | string[]): string[] {
  const list = (Array.isArray(topic) ? topic : [topic]).map((t) => String(t).trim()).filter(Boolean);
  if (!list.length) throw new Error('invalid property topic: give at least one topic');
  return [...new Set(list)];
}

export function qosOf(qos: unknown): 0 | 1 | 2 {
  const n = Number(qos);
  if (n !== 0 && n !== 1 && n !== 2) throw new Error(`invalid property qos: ${String(qos)} (expected 0, 1 or 2)`);
  return n;
}
