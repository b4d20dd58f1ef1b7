// Binds the engine's contract to Electron: a window whose frame is the app's own origin asks to
// connect, and gets one MessagePort that carries its calls, subscriptions and batches in order.
// Any other sender is ignored.
import type { EngineApi } from '../main/api/index';
import { serveConnection } from '../main/api/protocol';
import { isTrustedSender } from './hardening';

import { CONNECT, PORT } from './channels';

export { CONNECT, PORT };

interface SenderEvent {
  senderFrame: { url: string } | null;
  sender: { postMessage(channel: string, message: unknown, transfer: unknown[]): void };
}

export interface IpcMainLike {
  on(channel: string, listener: (event: SenderEvent, ...args: any[]) => void): void;
}

/** Electron's MessagePortMain (an EventEmitter of {data}). */
export interface MainPortLike {
  postMessage(message: unknown): void;
  on(event: 'message', listener: (e: { data: any }) => void): void;
  on(event: 'close', listener: () => void): void;
  start(): void;
  close(): void;
}

export function bindIpc(api: EngineApi, ipcMain: IpcMainLike, createChannel: () => { port1: MainPortLike; port2: unknown }): void {
  ipcMain.on(CONNECT, (event) => {
    if (!isTrustedSender(event.senderFrame)) return;
    const { port1, port2 } = createChannel();
    const conn = serveConnection(api, (msg) => port1.postMessage(msg));
    port1.on('message', ({ data }) => void conn.onMessage(data));
    port1.on('close', () => conn.close());
    port1.start();
    event.sender.postMessage(PORT, null, [port2]);
  });
}
