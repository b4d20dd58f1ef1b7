// The two transports of the contract, wired for tests: a real WebSocket to the web server, and
// the Electron IPC binding driven through a fake ipcMain/ipcRenderer and Node's MessageChannel.
import { EventEmitter } from 'node:events';
import { MessageChannel, type MessagePort } from 'node:worker_threads';
import WebSocket from 'ws';
import type { Bridge } from '../../../main/api/contract';
import { createApi } from '../../../main/api/index';
import { startServer, type RunningServer } from '../../../main/api/server';
import type { Engine } from '../../../main/runtime/engine';
import { bindIpc, CONNECT, PORT, type IpcMainLike, type MainPortLike } from '../../../electron/ipc';
import { createPreloadBridge, type PortLike } from '../../../electron/preload-bridge';
import { createWebSocketBridge, type SocketLike } from '../../../renderer/bridge/ws-bridge';

export interface Transport { name: string; bridge: Bridge; close(): Promise<void> }

export async function webSocketTransport(engine: Engine): Promise<Transport & { server: RunningServer }> {
  const server = await startServer({ engine, port: 0, token: 'conformance' });
  const bridge = createWebSocketBridge(`ws://127.0.0.1:${server.port}/api/ws?token=conformance`, (u) => new WebSocket(u) as unknown as SocketLike);
  await bridge.ready;
  return { name: 'WebSocket', bridge, server, close: async () => { bridge.close(); await server.close(); } };
}

/** A fake Electron: ipcMain and ipcRenderer in one process, with the sender's frame URL chosen by the test. */
export function fakeElectron(frameUrl = 'app://peregrine/index.html') {
  const listeners = new EventEmitter();
  const rendererOnce = new Map<string, (event: { ports: PortLike[] }) => void>();
  const event = {
    senderFrame: { url: frameUrl },
    sender: {
      postMessage: (channel: string, _msg: unknown, transfer: unknown[]) => rendererOnce.get(channel)?.({ ports: transfer as PortLike[] }),
    },
  };
  const ipcMain: IpcMainLike = {
    on: (channel, listener) => void listeners.on(channel, listener),
  };
  const ipcRenderer = {
    send: (channel: string, ...args: unknown[]) => void listeners.emit(channel, event, ...args),
    once: (channel: string, listener: (e: { ports: PortLike[] }) => void) => void rendererOnce.set(channel, listener),
  };
  return { ipcMain, ipcRenderer, channels: { CONNECT, PORT } };
}

/** Node's MessagePort as Electron's MessagePortMain (which emits {data}). */
export function mainPort(port: MessagePort): MainPortLike {
  return {
    postMessage: (m) => port.postMessage(m),
    on: ((event: string, listener: (arg?: any) => void) => {
      if (event === 'message') port.on('message', (data) => listener({ data }));
      else port.on('close', listener);
    }) as MainPortLike['on'],
    start: () => port.start(),
    close: () => port.close(),
  };
}

export function ipcTransport(engine: Engine, frameUrl?: string): Transport {
  const api = createApi(engine);
  const { ipcMain, ipcRenderer } = fakeElectron(frameUrl);
  const ports: MessagePort[] = [];
  bindIpc(api, ipcMain, () => {
    const { port1, port2 } = new MessageChannel();
    ports.push(port1, port2);
    return { port1: mainPort(port1), port2 };
  });
  const bridge = createPreloadBridge(ipcRenderer);
  return { name: 'Electron IPC', bridge, close: async () => { ports.forEach((p) => p.close()); api.close(); } };
}
