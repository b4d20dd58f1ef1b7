// Kestra's namespace files for script tasks: `namespaceFiles: {enabled, include, exclude}` copies
// the namespace's files into the working directory. In the workspace they live in
// `<namespace>/_files/` (the folder Kestra's git sync uses), beside the namespace's flows.
import { promises as fs } from 'node:fs';
import path from 'node:path';
import type { TaskContext } from '../types';

export interface NamespaceFilesProps { enabled?: boolean | string; include?: string[] | string; exclude?: string[] | string }

/** A glob (`**`, `*`, `?`) as a regular expression over `/`-separated relative paths. */
export function globToRegExp(glob: string): RegExp {
  let re = '';
  for (let i = 0; i < glob.length; i++) {
    const c = glob[i];
    if (c === '*' && glob[i + 1] === '*') {
      re += glob[i + 2] === '/' ? '(?:.*/)?' : '.*';
      i += glob[i + 2] === '/' ? 2 : 1;
    } else if (c === '*') re += '[^/]*';
    else if (c === '?') re += '[^/]';
    else re += c.replace(/[.+^${}()|[\]\\]/g, '\\$&');
  }
  return new RegExp(`^${re}$`);
}

const list = (v: string[] | string | undefined) => (v === undefined ? [] : Array.isArray(v) ? v : [v]);

async function walk(dir: string, rel = ''): Promise<string[]> {
  const out: string[] = [];
  for (const entry of await fs.readdir(path.join(dir, rel), { withFileTypes: true })) {
    const p = rel ? `${rel}/${entry.name}` : entry.name;
    if (entry.isDirectory()) out.push(...(await walk(dir, p)));
    else if (entry.isFile()) out.push(p);
  }
  return out;
}

/** Copies the enabled namespace files into `workingDir`; returns how many were copied. */
export async function copyNamespaceFiles(ctx: TaskContext, spec: NamespaceFilesProps | undefined, workingDir: string): Promise<number> {
  if (!spec || !(spec.enabled === true || spec.enabled === 'true')) return 0;
  const dir = ctx.services.namespaceFilesDir?.(ctx.flow.namespace);
  if (!dir) {
    ctx.logger.warn(`namespaceFiles: no namespace files for ${ctx.flow.namespace} (put them in the workspace folder under ${ctx.flow.namespace}/_files/)`);
    return 0;
  }
  const include = list(spec.include).map(globToRegExp);
  const exclude = list(spec.exclude).map(globToRegExp);
  const files = (await walk(dir)).filter((f) => (!include.length || include.some((r) => r.test(f))) && !exclude.some((r) => r.test(f)));
  for (const f of files) {
    await fs.mkdir(path.dirname(path.join(workingDir, f)), { recursive: true });
    await fs.copyFile(path.join(dir, f), path.join(workingDir, f));
  }
  ctx.logger.debug(`namespaceFiles: copied ${files.length} file(s) from ${ctx.flow.namespace}`);
  return files.length;
}
