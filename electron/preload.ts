// Preload: exposes exactly the contract (and nothing of Node or Electron) to the page, plus the
// application menu's commands.
import { contextBridge, ipcRenderer } from 'electron';
import type { Bridge } from '../main/api/contract';
import { createPreloadBridge } from './preload-bridge';

const bridge: Bridge = createPreloadBridge(ipcRenderer as never);
contextBridge.exposeInMainWorld('peregrine', { call: bridge.call, subscribe: bridge.subscribe } satisfies Bridge);

contextBridge.exposeInMainWorld('peregrineMenu', {
  onCommand(callback: (command: string) => void): () => void {
    const listener = (_event: unknown, command: unknown) => {
      if (typeof command === 'string') callback(command);
    };
    ipcRenderer.on('peregrine:menu', listener);
    return () => ipcRenderer.removeListener('peregrine:menu', listener);
  },
});
