// Installs the peers (Node-RED, n8n) from npm into a scratch folder OUTSIDE the repository
// (`$PEREGRINE_BENCH_CACHE/peers/<name>`, default ~/.cache/peregrine-bench/peers/<name>), never as
// project dependencies. Idempotent: a folder whose install finished (a marker file) is reused.
//   tsx bench/peers/install.ts [node-red|n8n ...]
import { spawn } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';

export type PeerName = 'node-red' | 'n8n';

/**
 * Pinned versions, chosen by what runs on this machine's Node (20.x):
 * - node-red 5.x needs Node ≥ 22.9, so the newest 4.x (engines ≥ 18.5);
 * - n8n ≥ 2.10 needs Node ≥ 22.22 (latest 2.4x: ≥ 24), so 2.8.4, the newest release declaring
 *   Node 20 support (engines ">=20.19 <= 24.x").
 */
export const PEER_VERSIONS: Record<PeerName, string> = { 'node-red': '4.1.8', n8n: '2.8.4' };

/**
 * npm `overrides` per peer. n8n's spreadsheet node depends on `xlsx` as a tarball URL on
 * cdn.sheetjs.com, which is not a package registry and is unreachable here; the override takes
 * the same library from the npm registry (0.18.5, its last release there). The benchmarked flow
 * (Webhook → Set → No Operation) never loads it.
 */
/** Why these versions, for the report. */
export const PEER_VERSION_NOTES: Record<PeerName, string> = {
  'node-red': 'latest node-red (5.x) declares Node >= 22.9 and is not runnable on this Node 20; 4.1.8 is the newest 4.x (Node >= 18.5)',
  n8n: 'latest n8n (2.41.x) declares Node >= 24 and 2.10+ Node >= 22.22: not runnable on this Node 20; 2.8.4 is the newest release declaring Node 20 (>=20.19 <= 24.x)',
};

export const PEER_OVERRIDES: Record<PeerName, Record<string, string>> = { 'node-red': {}, n8n: { xlsx: '0.18.5' } };

export const benchCache = (): string => process.env.PEREGRINE_BENCH_CACHE ?? path.join(os.homedir(), '.cache', 'peregrine-bench');
export const peerPrefix = (name: PeerName): string => path.join(benchCache(), 'peers', name);

export interface PeerInstall { name: PeerName; version: string; prefix: string; ok: boolean; error?: string; seconds: number; reused: boolean; engineWarnings?: string[] }

/** `npm install` into the peer's scratch prefix (without --engine-strict: npm checks the peer's own
 * `engines`, and transitive dependencies that declare a newer Node are listed as warnings). */
export async function installPeer(name: PeerName, timeoutMs = 15 * 60_000): Promise<PeerInstall> {
  const version = PEER_VERSIONS[name];
  const prefix = peerPrefix(name);
  const marker = path.join(prefix, `.installed-${version}`);
  const t0 = performance.now();
  const log = path.join(prefix, 'install.log');
  if (fs.existsSync(marker)) return { name, version, prefix, ok: true, seconds: 0, reused: true, engineWarnings: engineWarningsOf(log) };
  fs.mkdirSync(prefix, { recursive: true });
  // A package.json of its own so npm never walks up into another project.
  fs.writeFileSync(path.join(prefix, 'package.json'), JSON.stringify({ name: `peregrine-bench-peer-${name}`, private: true, overrides: PEER_OVERRIDES[name] }, null, 2));
  const args = ['install', '--prefix', prefix, '--no-audit', '--no-fund', '--omit=dev', `${name}@${version}`];
  const code = await new Promise<number | null>((resolve) => {
    const out = fs.openSync(log, 'w');
    const child = spawn('npm', args, { cwd: prefix, stdio: ['ignore', out, out], env: { ...process.env, npm_config_loglevel: 'warn' } });
    const timer = setTimeout(() => child.kill('SIGTERM'), timeoutMs);
    child.on('exit', (c) => {
      clearTimeout(timer);
      fs.closeSync(out);
      resolve(c);
    });
    child.on('error', () => resolve(-1));
  });
  const seconds = Math.round((performance.now() - t0) / 1000);
  if (code !== 0) {
    const tail = fs.readFileSync(log, 'utf8').trim().split('\n').slice(-8).join('\n');
    return { name, version, prefix, ok: false, seconds, reused: false, error: `npm ${args.join(' ')} exited ${code}:\n${tail}` };
  }
  fs.writeFileSync(marker, new Date().toISOString());
  return { name, version, prefix, ok: true, seconds, reused: false, engineWarnings: engineWarningsOf(log) };
}

/** npm only warns when a (transitive) dependency declares another Node: the list, for the report. */
function engineWarningsOf(log: string): string[] {
  if (!fs.existsSync(log)) return [];
  return [...fs.readFileSync(log, 'utf8').matchAll(/EBADENGINE\s+package: '([^']+)',\s*\nnpm warn EBADENGINE\s+required: \{ node: '([^']+)'/g)].map((m) => `${m[1]} wants node ${m[2]}`);
}

if (import.meta.url === `file://${process.argv[1]}`) {
  const names = (process.argv.slice(2).length ? process.argv.slice(2) : ['node-red', 'n8n']) as PeerName[];
  for (const n of names) console.log(JSON.stringify(await installPeer(n)));
}
