// Kestra's `from` of the producer tasks (Publish, Produce, ListPush): one message, a list of them, or
// a kestra:// URI of an internal-storage file with one JSON message per line (what a polling trigger
// batch or a Consume task writes). One reader, so that every producer takes the same shapes and
// names the property, the item or the file line that is wrong in the same words.
import type { z } from 'zod';
import { explainIssues } from '../../flow/zodIssues';
import type { InternalStorage } from '../types';

export interface FromOptions<T> {
  /** What one message is, for errors: "a message {data, …}", "a record {key, value, …}". */
  what: string;
  /**
   * A string that is not a kestra:// URI: `message` sends it as one message, `json` reads it as JSON
   * text of a message or of a list, `refuse` is an error.
   */
  text: 'message' | 'json' | 'refuse';
  /** Checks and shapes one message; throws a readable reason when the value is not one. */
  message?: (value: unknown) => T;
  /** Given, a file line that is not JSON becomes this message instead of an error. */
  plainLine?: (line: string) => T;
}

/** The messages of a rendered `from`, in order; throws an error that names what is wrong and where. */
export function messagesFrom<T = unknown>(from: unknown, storage: Pick<InternalStorage, 'get'>, options: FromOptions<T>): T[] {
  if (from === undefined || from === null) throw new Error(`from is required: give ${expected(options.what)}`);
  if (typeof from === 'string') {
    const text = from.trim();
    if (text.startsWith('kestra://')) return linesOf(text, storage, options);
    if (options.text === 'refuse') throw new Error(`from must be ${expected(options.what)}, not ${JSON.stringify(from)}`);
    if (options.text === 'json') {
      let parsed: unknown;
      try {
        parsed = JSON.parse(text);
      } catch (e) {
        throw new Error(`from must be ${expected(options.what)}, or JSON text of them; it is none of these (${(e as Error).message})`);
      }
      return itemsOf(parsed, options);
    }
  }
  return itemsOf(from, options);
}

/** A message check from a zod schema, whose issues become one readable reason. */
export function parsedBy<T>(schema: z.ZodType<T>): (value: unknown) => T {
  return (value) => {
    const r = schema.safeParse(value);
    if (r.success) return r.data;
    const findings = explainIssues(r.error.issues, value, schema);
    // An unknown key's finding already names the key: prefix only where it sits.
    const where = (f: (typeof findings)[number]) => (f.anchor === 'key' ? f.path.slice(0, -1) : f.path).join('.');
    throw new Error(findings.map((f) => (where(f) ? `${where(f)}: ${f.message}` : f.message)).join('; '));
  };
}

const expected = (what: string) => `${what}, a list of them, or a kestra:// URI of a file with one per line (JSON)`;

function itemsOf<T>(value: unknown, options: FromOptions<T>): T[] {
  if (!Array.isArray(value)) return [shaped(value, options, 'from')];
  return value.map((v, i) => shaped(v, options, `from[${i}]`));
}

function linesOf<T>(uri: string, storage: Pick<InternalStorage, 'get'>, options: FromOptions<T>): T[] {
  const out: T[] = [];
  const lines = storage.get(uri).toString('utf8').split('\n');
  // Line numbers are the file's own (blank lines count), so that an editor finds the bad one.
  for (const [i, line] of lines.entries()) {
    if (!line.trim()) continue;
    let value: unknown;
    try {
      value = JSON.parse(line);
    } catch (e) {
      if (!options.plainLine) throw new Error(`line ${i + 1} of ${uri} (from) is not JSON: ${(e as Error).message}`);
      out.push(options.plainLine(line));
      continue;
    }
    out.push(shaped(value, options, `line ${i + 1} of ${uri} (from)`));
  }
  return out;
}

function shaped<T>(value: unknown, options: FromOptions<T>, where: string): T {
  if (!options.message) return value as T;
  try {
    return options.message(value);
  } catch (e) {
    throw new Error(`${where} is not ${options.what}: ${(e as Error).message}`);
  }
}
