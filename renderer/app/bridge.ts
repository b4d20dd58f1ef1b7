// The one Bridge the UI talks through: Electron's preload (`window.peregrine`) when present,
// otherwise the WebSocket of web mode. Stores reach it with `bridge()` / `call()`; tests set a mock.
import type { ApiError, Bridge, CommandInput, CommandName, CommandOutput } from '../../main/api/contract';
import { createWebSocketBridge, type SocketLike } from '../bridge/ws-bridge';

let current: Bridge | undefined;

export function setBridge(b: Bridge | undefined): void {
  current = b;
}

export function bridge(): Bridge {
  if (!current) throw new Error('the UI is not connected to the engine yet');
  return current;
}

export class CallError extends Error {
  constructor(readonly error: ApiError) {
    super(error.message);
  }
}

/** Calls a command; a failed result becomes a thrown CallError (for stores that prefer try/catch). */
export async function call<N extends CommandName>(name: N, input: CommandInput<N>): Promise<CommandOutput<N>> {
  const r = await bridge().call(name, input);
  if (!r.ok) throw new CallError(r.error);
  return r.value;
}

const TOKEN_KEY = 'peregrine.token';

/**
 * Web mode: the token comes once in the URL (`?token=…`, printed by `peregrine server`); it is kept
 * in sessionStorage and taken out of the address bar (and so out of history and screenshots).
 */
export function takeToken(loc: Location = window.location, storage: Storage = window.sessionStorage): string | undefined {
  const params = new URLSearchParams(loc.search);
  const fromUrl = params.get('token');
  if (fromUrl) {
    storage.setItem(TOKEN_KEY, fromUrl);
    params.delete('token');
    const search = params.toString();
    window.history.replaceState(window.history.state, '', `${loc.pathname}${search ? `?${search}` : ''}${loc.hash}`);
    return fromUrl;
  }
  return storage.getItem(TOKEN_KEY) ?? undefined;
}

export interface Connection {
  bridge: Bridge;
  transport: 'electron' | 'websocket';
  /** Resolves once the engine answers. */
  ready: Promise<void>;
}

export function connect(): Connection {
  const preload = (window as unknown as { peregrine?: Bridge }).peregrine;
  if (preload) return { bridge: preload, transport: 'electron', ready: Promise.resolve() };
  const token = takeToken();
  if (!token) throw new Error('No access token: open the address printed by `peregrine server` (it ends with ?token=…).');
  const scheme = window.location.protocol === 'https:' ? 'wss' : 'ws';
  const ws = createWebSocketBridge(`${scheme}://${window.location.host}/api/ws?token=${encodeURIComponent(token)}`, (u) => new WebSocket(u) as unknown as SocketLike);
  return { bridge: ws, transport: 'websocket', ready: ws.ready };
}
