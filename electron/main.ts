// The desktop shell: one hardened window, the engine hosted in the main process, the contract
// bound to IPC. Everything it hosts runs and is tested without Electron (web mode).
import path from 'node:path';
import { pathToFileURL } from 'node:url';
import fs from 'node:fs';
import crypto from 'node:crypto';
import { app, BrowserWindow, ipcMain, Menu, MessageChannelMain, net, protocol, safeStorage, shell } from 'electron';
import { createApi } from '../main/api/index';
import { Engine } from '../main/runtime/engine';
import type { SecretKeyProvider } from '../main/store/secrets';
import { APP_ORIGIN, hardenContents, secureWindowOptions } from './hardening';
import { bindIpc } from './ipc';
import { appMenu } from './menu';

const RENDERER = path.join(__dirname, '../renderer');
protocol.registerSchemesAsPrivileged([{ scheme: 'app', privileges: { standard: true, secure: true, supportFetchAPI: true } }]);

if (!app.requestSingleInstanceLock()) app.quit();

let engine: Engine | undefined;
let window: BrowserWindow | undefined;

/** Secrets are encrypted with a key that the OS keychain protects (safeStorage). */
function keychainKeys(dir: string): SecretKeyProvider {
  const file = path.join(dir, 'secret.key.enc');
  return {
    key() {
      if (!fs.existsSync(file)) fs.writeFileSync(file, safeStorage.encryptString(crypto.randomBytes(32).toString('base64')), { mode: 0o600 });
      return Buffer.from(safeStorage.decryptString(fs.readFileSync(file)), 'base64');
    },
  };
}

function serveRenderer(): void {
  protocol.handle('app', (request) => {
    const url = new URL(request.url);
    const file = path.normalize(path.join(RENDERER, decodeURIComponent(url.pathname)));
    if (!file.startsWith(RENDERER)) return new Response('forbidden', { status: 403 });
    const target = fs.existsSync(file) && fs.statSync(file).isFile() ? file : path.join(RENDERER, 'index.html');
    return net.fetch(pathToFileURL(target).toString());
  });
}

function createWindow(): BrowserWindow {
  const win = new BrowserWindow({ width: 1440, height: 900, title: 'Peregrine', ...secureWindowOptions(path.join(__dirname, 'preload.cjs')) });
  hardenContents(win.webContents as never, (url) => void shell.openExternal(url));
  win.once('ready-to-show', () => win.show());
  void win.loadURL(`${APP_ORIGIN}/index.html`);
  return win;
}

app.on('second-instance', () => {
  if (window?.isMinimized()) window.restore();
  window?.focus();
});

app.whenReady().then(async () => {
  const dataDir = app.getPath('userData');
  engine = await Engine.start({ dataDir, flowsDir: path.join(dataDir, 'flows'), secretKeys: keychainKeys(dataDir) });
  const api = createApi(engine);
  bindIpc(api, ipcMain as never, () => new MessageChannelMain() as never);
  serveRenderer();
  Menu.setApplicationMenu(appMenu());
  window = createWindow();
});

let quitting = false;
app.on('before-quit', (event) => {
  if (quitting || !engine) return;
  event.preventDefault();
  quitting = true;
  // Graceful shutdown: stop triggers and flush the store, then quit.
  void engine.close().finally(() => app.exit(0));
});

app.on('window-all-closed', () => {
  if (process.platform !== 'darwin') app.quit();
});
