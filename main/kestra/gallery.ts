// The gallery: sample flows in assets/flows/, one per real-time use case. What the app shows of
// each comes from the file itself — its header comment (the first line is the title; "Use case:",
// "Broker:" and "Feed it:" lines) and its Kestra `description` — and the brokers it needs are read
// from the plugin types it uses, so a new sample needs nothing but its file.
import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseDocument } from 'yaml';
import { peekFlowIds } from './source';

export interface GalleryFlow {
  /** The file name without its extension: what gallery.use takes. */
  name: string;
  file: string;
  id: string;
  namespace: string;
  title: string;
  description: string;
  useCase: string;
  /** The brokers of `npm run brokers` it needs (kafka, rabbitmq, redis, sqs, pubsub, postgres, mosquitto, nats). */
  brokers: string[];
  /** Its trigger types. */
  triggers: string[];
  /** How to feed it: the header's "Feed it:" lines (commands). */
  feed: string[];
  source: string;
}

/** What the app lists (the file path stays on the engine's side). */
export type GallerySummary = Omit<GalleryFlow, 'file'>;

/** Plugin type prefix → the broker it talks to (names as `npm run brokers -- up NAME` takes them). */
const BROKERS: [RegExp, string][] = [
  [/^io\.kestra\.plugin\.kafka\./, 'kafka'],
  [/^io\.kestra\.plugin\.amqp\./, 'rabbitmq'],
  [/^io\.kestra\.plugin\.redis\./, 'redis'],
  [/^io\.kestra\.plugin\.aws\.sqs\./, 'sqs'],
  [/^io\.kestra\.plugin\.gcp\.pubsub\./, 'pubsub'],
  [/^io\.kestra\.plugin\.(debezium\.postgres|jdbc\.postgresql)\./, 'postgres'],
  [/^io\.kestra\.plugin\.mqtt\./, 'mosquitto'],
  [/^io\.kestra\.plugin\.nats\./, 'nats'],
];

/** assets/flows of the package (from the sources, main/kestra, or the bundle, dist/engine). */
export function defaultGalleryDir(): string {
  let dir = path.dirname(fileURLToPath(import.meta.url));
  while (!fs.existsSync(path.join(dir, 'package.json')) && path.dirname(dir) !== dir) dir = path.dirname(dir);
  return path.join(dir, 'assets', 'flows');
}

/** Every `type:` value in a YAML document, depth first. */
function typesIn(value: unknown, out: string[] = []): string[] {
  if (Array.isArray(value)) value.forEach((v) => typesIn(v, out));
  else if (value && typeof value === 'object') {
    for (const [k, v] of Object.entries(value)) {
      if (k === 'type' && typeof v === 'string') out.push(v);
      else typesIn(v, out);
    }
  }
  return out;
}

/** The leading comment block's lines, without "# ". */
function headerLines(source: string): string[] {
  const lines: string[] = [];
  for (const line of source.split('\n')) {
    if (!line.startsWith('#')) break;
    lines.push(line.replace(/^#\s?/, ''));
  }
  return lines;
}

/** A "Key: value" field of the header, with its indented continuation lines. */
function field(header: string[], key: string): string[] {
  const i = header.findIndex((l) => l.toLowerCase().startsWith(`${key.toLowerCase()}:`));
  if (i < 0) return [];
  const first = header[i].slice(key.length + 1).trim();
  const rest: string[] = [];
  for (const l of header.slice(i + 1)) {
    if (!/^\s{2,}\S/.test(l)) break;
    rest.push(l.trim());
  }
  return [first, ...rest].filter(Boolean);
}

export function describeGalleryFlow(file: string, source: string): GalleryFlow | undefined {
  const ids = peekFlowIds(source);
  if (!ids) return undefined;
  const doc = parseDocument(source).toJS() as { description?: unknown; triggers?: { type?: unknown }[] };
  const header = headerLines(source);
  const types = typesIn(doc);
  const brokers = [...new Set(types.flatMap((t) => BROKERS.filter(([re]) => re.test(t)).map(([, b]) => b)))];
  const description = typeof doc.description === 'string' ? doc.description.trim() : '';
  return {
    name: path.basename(file).replace(/\.ya?ml$/i, ''),
    file,
    ...ids,
    title: header[0]?.trim() || ids.id,
    description,
    useCase: field(header, 'Use case').join(' ') || (description.split('\n')[0] ?? ''),
    brokers,
    triggers: (Array.isArray(doc.triggers) ? doc.triggers : []).map((t) => t?.type).filter((t): t is string => typeof t === 'string'),
    feed: field(header, 'Feed it'),
    source,
  };
}

/** The gallery's flows, sorted by file name (files that are not flows are left out). */
export function listGallery(dir = defaultGalleryDir()): GalleryFlow[] {
  if (!fs.existsSync(dir)) return [];
  return fs
    .readdirSync(dir)
    .filter((f) => /\.ya?ml$/i.test(f))
    .sort()
    .map((f) => describeGalleryFlow(path.join(dir, f), fs.readFileSync(path.join(dir, f), 'utf8')))
    .filter((g): g is GalleryFlow => !!g);
}
