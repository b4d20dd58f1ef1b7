// Internal storage: files under the data folder, addressed by kestra:/// URIs.
import fs from 'node:fs';
import path from 'node:path';
import type { InternalStorage } from '../plugins/types';

const SCHEME = 'kestra://';

export class FileStorage implements InternalStorage {
  private readonly root: string;

  constructor(dataDir: string) {
    this.root = path.resolve(dataDir, 'storage');
    fs.mkdirSync(this.root, { recursive: true });
  }

  put(name: string, data: Buffer | string): string {
    const file = this.resolve(name.startsWith(SCHEME) ? name : `${SCHEME}/${name.replace(/^\/+/, '')}`);
    fs.mkdirSync(path.dirname(file), { recursive: true });
    fs.writeFileSync(file, data);
    return `${SCHEME}${'/' + path.relative(this.root, file).split(path.sep).join('/')}`;
  }

  get(uri: string): Buffer {
    const file = this.resolve(uri);
    if (!fs.existsSync(file)) throw new Error(`no file in internal storage at ${uri}`);
    return fs.readFileSync(file);
  }

  exists(uri: string): boolean {
    return fs.existsSync(this.resolve(uri));
  }

  delete(prefix: string): void {
    fs.rmSync(this.resolve(prefix), { recursive: true, force: true });
  }

  /** Maps a kestra:/// URI to a file path; refuses anything that would escape the storage root. */
  resolve(uri: string): string {
    if (!uri.startsWith(SCHEME)) throw new Error(`not an internal storage URI (kestra:///…): ${uri}`);
    const rel = decodeURIComponent(uri.slice(SCHEME.length)).replace(/^\/+/, '');
    if (rel.split(/[\\/]/).includes('..') || path.isAbsolute(rel) || rel.includes('\0')) {
      throw new Error(`refused internal storage path outside the data folder: ${uri}`);
    }
    const file = path.resolve(this.root, rel);
    if (file !== this.root && !file.startsWith(this.root + path.sep)) {
      throw new Error(`refused internal storage path outside the data folder: ${uri}`);
    }
    return file;
  }
}

/** Where a task run's files go, as Kestra lays them out. */
export function taskRunPrefix(ns: string, flowId: string, executionId: string, taskId: string, taskRunId: string): string {
  return `${SCHEME}/${ns.replace(/\./g, '/')}/${flowId}/executions/${executionId}/tasks/${taskId}/${taskRunId}`;
}
