// The preload's half of the IPC binding: asks the main process for a MessagePort and speaks the
// contract's protocol over it. Free of Electron imports so tests can drive it.
import type { Bridge } from '../main/api/contract';
import { createProtocolClient } from '../renderer/bridge/protocol-client';
import { CONNECT, PORT } from './channels';

export interface IpcRendererLike {
  send(channel: string, ...args: unknown[]): void;
  once(channel: string, listener: (event: { ports: PortLike[] }) => void): void;
}

/** A DOM MessagePort, as the preload receives it. */
export interface PortLike {
  postMessage(message: unknown): void;
  addEventListener(type: 'message', listener: (e: { data: any }) => void): void;
  start(): void;
}

export function createPreloadBridge(ipcRenderer: IpcRendererLike): Bridge {
  let port: PortLike | undefined;
  const outbox: unknown[] = [];
  const client = createProtocolClient((msg) => (port ? port.postMessage(msg) : outbox.push(msg)));
  ipcRenderer.once(PORT, (event) => {
    const p = event.ports[0];
    p.addEventListener('message', ({ data }) => client.receive(data));
    p.start();
    port = p;
    outbox.splice(0).forEach((m) => p.postMessage(m));
  });
  ipcRenderer.send(CONNECT);
  return client.bridge;
}
