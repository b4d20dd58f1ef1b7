// Preload: exposes exactly the contract (and nothing of Node or Electron) to the page.
import { contextBridge, ipcRenderer } from "electron";
import type { Bridge } from '../main/api/contract';
import { createPreloadBridge } from './preload-bridge';

const bridge: Bridge = createPreloadBridge(ipcRenderer as never);
contextBridge.exposeInMainWorld('peregrine', { call: bridge.call, subscribe: bridge.subscribe } satisfies Bridge);
