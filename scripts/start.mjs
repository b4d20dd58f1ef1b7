#!/usr/bin/env node
// `npm start`: the desktop app where Electron's binary is installed; otherwise (offline machines,
// CI) one line saying so, and the same UI served in web mode on 127.0.0.1.
import { spawn } from 'node:child_process';
import { createRequire } from 'node:module';
import fs from 'node:fs';
import path from 'node:path';

const root = path.resolve(import.meta.dirname, '..');
const require = createRequire(import.meta.url);

function electronBinary() {
  try {
    const bin = require('electron'); // the package exports the binary's path, and throws when it was never downloaded
    return typeof bin === 'string' && fs.existsSync(bin) ? bin : undefined;
  } catch {
    return undefined;
  }
}

const bin = electronBinary();
const args = process.argv.slice(2);
const child = bin && fs.existsSync(path.join(root, 'electron/main.ts'))
  ? spawn(bin, [root, ...args], { stdio: 'inherit' })
  : (console.log('peregrine: Electron is not available on this machine: serving the same UI in web mode instead.'),
    spawn(process.execPath, [path.join(root, 'bin/peregrine.mjs'), 'server', ...args], { stdio: 'inherit' }));
for (const s of ['SIGINT', 'SIGTERM']) process.on(s, () => child.kill(s));
child.on('exit', (code) => process.exit(code ?? 0));
