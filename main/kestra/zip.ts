// A small ZIP writer and reader (PKWARE APPNOTE 6.3): enough for archives of YAML flows. Writes
// stored or raw-deflated entries (node:zlib) with CRC-32 and UTF-8 names; reads stored and
// deflated entries, data descriptors (streamed archives) and ZIP64 sizes, through the central
// directory, checking every CRC. Never touches the file system: names are data, and a caller
// that writes files decides where (see safeEntryName).
import zlib from 'node:zlib';

export interface ZipEntryInput {
  name: string;
  data: Buffer | string;
  /** Modification time (default: now). */
  date?: Date;
  /** Unix permission bits (default 0o644). */
  mode?: number;
}

export interface ZipEntry {
  name: string;
  data: Buffer;
  date: Date;
  isDirectory: boolean;
}

export interface ZipWriteOptions {
  /** 'deflate' (default) compresses when that makes the entry smaller; 'store' never does. */
  method?: 'store' | 'deflate';
  comment?: string;
}

export interface ZipReadOptions {
  /** Refuse an entry larger than this once inflated (default 64 MiB). */
  maxEntryBytes?: number;
  /** Refuse an archive whose entries add up to more than this once inflated (default 256 MiB). */
  maxTotalBytes?: number;
}

export class ZipError extends Error {}

const SIG_LOCAL = 0x04034b50;
const SIG_CENTRAL = 0x02014b50;
const SIG_EOCD = 0x06054b50;
const SIG_EOCD64 = 0x06064b50;
const SIG_EOCD64_LOCATOR = 0x07064b50;
const FLAG_ENCRYPTED = 0x0001;
const FLAG_UTF8 = 0x0800;
const METHOD_STORE = 0;
const METHOD_DEFLATE = 8;
const MAX32 = 0xffffffff;
const MAX16 = 0xffff;

// ── CRC-32 (IEEE 802.3, the polynomial ZIP uses) ──────────────────────────────

const CRC_TABLE = (() => {
  const table = new Uint32Array(256);
  for (let n = 0; n < 256; n++) {
    let c = n;
    for (let k = 0; k < 8; k++) c = c & 1 ? 0xedb88320 ^ (c >>> 1) : c >>> 1;
    table[n] = c >>> 0;
  }
  return table;
})();

export function crc32(data: Uint8Array, previous = 0): number {
  let crc = ~previous >>> 0;
  for (let i = 0; i < data.length; i++) crc = CRC_TABLE[(crc ^ data[i]) & 0xff] ^ (crc >>> 8);
  return ~crc >>> 0;
}

// ── MS-DOS date and time (2-second resolution, local time, as zip and unzip use) ──

function dosDateTime(date: Date): { time: number; date: number } {
  const year = Math.min(Math.max(date.getFullYear(), 1980), 2107);
  return {
    time: (date.getHours() << 11) | (date.getMinutes() << 5) | Math.floor(date.getSeconds() / 2),
    date: ((year - 1980) << 9) | ((date.getMonth() + 1) << 5) | date.getDate(),
  };
}

function fromDos(time: number, date: number): Date {
  return new Date(1980 + (date >> 9), ((date >> 5) & 0xf) - 1, date & 0x1f, time >> 11, (time >> 5) & 0x3f, (time & 0x1f) * 2);
}

// ── writer ────────────────────────────────────────────────────────────────────

/** Builds a ZIP archive in memory. Names use "/" and must be relative. */
export function writeZip(entries: ZipEntryInput[], options: ZipWriteOptions = {}): Buffer {
  const method = options.method ?? 'deflate';
  const locals: Buffer[] = [];
  const centrals: Buffer[] = [];
  const seen = new Set<string>();
  let offset = 0;
  for (const entry of entries) {
    const name = entry.name.replace(/\\/g, '/');
    if (!name || name.startsWith('/') || name.split('/').includes('..')) throw new ZipError(`unsafe entry name: ${entry.name}`);
    if (seen.has(name)) throw new ZipError(`duplicate entry name: ${name}`);
    seen.add(name);
    const nameBytes = Buffer.from(name, 'utf8');
    const raw = typeof entry.data === 'string' ? Buffer.from(entry.data, 'utf8') : entry.data;
    const crc = crc32(raw);
    let body = raw;
    let how = METHOD_STORE;
    if (method === 'deflate' && raw.length > 0) {
      const deflated = zlib.deflateRawSync(raw, { level: 9 });
      if (deflated.length < raw.length) {
        body = deflated;
        how = METHOD_DEFLATE;
      }
    }
    if (raw.length >= MAX32 || body.length >= MAX32 || offset >= MAX32) throw new ZipError('archive too large (ZIP64 is not written)');
    const { time, date } = dosDateTime(entry.date ?? new Date());
    const flags = /[^\x20-\x7e]/.test(name) ? FLAG_UTF8 : 0;

    const local = Buffer.alloc(30);
    local.writeUInt32LE(SIG_LOCAL, 0);
    local.writeUInt16LE(20, 4); // version needed: 2.0 (deflate)
    local.writeUInt16LE(flags, 6);
    local.writeUInt16LE(how, 8);
    local.writeUInt16LE(time, 10);
    local.writeUInt16LE(date, 12);
    local.writeUInt32LE(crc, 14);
    local.writeUInt32LE(body.length, 18);
    local.writeUInt32LE(raw.length, 22);
    local.writeUInt16LE(nameBytes.length, 26);
    local.writeUInt16LE(0, 28);
    locals.push(local, nameBytes, body);

    const central = Buffer.alloc(46);
    central.writeUInt32LE(SIG_CENTRAL, 0);
    central.writeUInt16LE((3 << 8) | 20, 4); // made by: Unix, spec 2.0 (so unzip reads the mode bits)
    central.writeUInt16LE(20, 6);
    central.writeUInt16LE(flags, 8);
    central.writeUInt16LE(how, 10);
    central.writeUInt16LE(time, 12);
    central.writeUInt16LE(date, 14);
    central.writeUInt32LE(crc, 16);
    central.writeUInt32LE(body.length, 20);
    central.writeUInt32LE(raw.length, 24);
    central.writeUInt16LE(nameBytes.length, 28);
    central.writeUInt16LE(0, 30); // extra
    central.writeUInt16LE(0, 32); // comment
    central.writeUInt16LE(0, 34); // disk
    central.writeUInt16LE(0, 36); // internal attributes
    central.writeUInt32LE((((entry.mode ?? 0o644) | 0o100000) << 16) >>> 0, 38); // regular file
    central.writeUInt32LE(offset, 42);
    centrals.push(central, nameBytes);

    offset += 30 + nameBytes.length + body.length;
  }
  if (entries.length >= MAX16) throw new ZipError('too many entries (ZIP64 is not written)');
  const centralSize = centrals.reduce((n, b) => n + b.length, 0);
  const comment = Buffer.from(options.comment ?? '', 'utf8');
  const end = Buffer.alloc(22);
  end.writeUInt32LE(SIG_EOCD, 0);
  end.writeUInt16LE(0, 4);
  end.writeUInt16LE(0, 6);
  end.writeUInt16LE(entries.length, 8);
  end.writeUInt16LE(entries.length, 10);
  end.writeUInt32LE(centralSize, 12);
  end.writeUInt32LE(offset, 16);
  end.writeUInt16LE(comment.length, 20);
  return Buffer.concat([...locals, ...centrals, end, comment]);
}

// ── reader ────────────────────────────────────────────────────────────────────

function findEndOfCentralDirectory(buf: Buffer): number {
  const min = Math.max(0, buf.length - 22 - MAX16);
  for (let i = buf.length - 22; i >= min; i--) {
    if (buf.readUInt32LE(i) === SIG_EOCD && i + 22 + buf.readUInt16LE(i + 20) <= buf.length) return i;
  }
  throw new ZipError('not a ZIP archive (no end of central directory record)');
}

function need(buf: Buffer, at: number, length: number, what: string): void {
  if (at < 0 || at + length > buf.length) throw new ZipError(`truncated ZIP archive (${what} at offset ${at})`);
}

/** Reads every entry of a ZIP archive (directories included, flagged). */
export function readZip(input: Uint8Array, options: ZipReadOptions = {}): ZipEntry[] {
  const buf = Buffer.isBuffer(input) ? input : Buffer.from(input.buffer, input.byteOffset, input.byteLength);
  const maxEntry = options.maxEntryBytes ?? 64 * 1024 * 1024;
  const maxTotal = options.maxTotalBytes ?? 256 * 1024 * 1024;
  const eocd = findEndOfCentralDirectory(buf);
  let count = buf.readUInt16LE(eocd + 10);
  let centralSize: number = buf.readUInt32LE(eocd + 12);
  let centralOffset: number = buf.readUInt32LE(eocd + 16);
  if (count === MAX16 || centralSize === MAX32 || centralOffset === MAX32) {
    // ZIP64: the locator sits right before the end record and points to the ZIP64 end record.
    const loc = eocd - 20;
    if (loc >= 0 && buf.readUInt32LE(loc) === SIG_EOCD64_LOCATOR) {
      const at = Number(buf.readBigUInt64LE(loc + 8));
      need(buf, at, 56, 'ZIP64 end of central directory');
      if (buf.readUInt32LE(at) !== SIG_EOCD64) throw new ZipError('bad ZIP64 end of central directory record');
      count = Number(buf.readBigUInt64LE(at + 32));
      centralSize = Number(buf.readBigUInt64LE(at + 40));
      centralOffset = Number(buf.readBigUInt64LE(at + 48));
    }
  }
  need(buf, centralOffset, centralSize, 'central directory');
  const entries: ZipEntry[] = [];
  let total = 0;
  let p = centralOffset;
  for (let i = 0; i < count; i++) {
    need(buf, p, 46, 'central directory entry');
    if (buf.readUInt32LE(p) !== SIG_CENTRAL) throw new ZipError(`bad central directory entry ${i + 1}`);
    const flags = buf.readUInt16LE(p + 8);
    const method = buf.readUInt16LE(p + 10);
    const time = buf.readUInt16LE(p + 12);
    const date = buf.readUInt16LE(p + 14);
    const crc = buf.readUInt32LE(p + 16);
    let compressed: number = buf.readUInt32LE(p + 20);
    let size: number = buf.readUInt32LE(p + 24);
    const nameLength = buf.readUInt16LE(p + 28);
    const extraLength = buf.readUInt16LE(p + 30);
    const commentLength = buf.readUInt16LE(p + 32);
    let localOffset: number = buf.readUInt32LE(p + 42);
    need(buf, p + 46, nameLength + extraLength + commentLength, 'entry name');
    const nameBytes = buf.subarray(p + 46, p + 46 + nameLength);
    // Info-ZIP and most tools write UTF-8 names; without the flag, bytes that are not valid UTF-8
    // are read as Latin-1 (close enough to CP437 for the names that matter here).
    const utf8 = nameBytes.toString('utf8');
    const name = flags & FLAG_UTF8 || !utf8.includes('\ufffd') ? utf8 : nameBytes.toString('latin1');
    // ZIP64 extended information: only the fields saturated in the record, in this order.
    let e = p + 46 + nameLength;
    const extraEnd = e + extraLength;
    while (e + 4 <= extraEnd) {
      const id = buf.readUInt16LE(e);
      const len = buf.readUInt16LE(e + 2);
      if (id === 0x0001) {
        let q = e + 4;
        if (size === MAX32) {
          size = Number(buf.readBigUInt64LE(q));
          q += 8;
        }
        if (compressed === MAX32) {
          compressed = Number(buf.readBigUInt64LE(q));
          q += 8;
        }
        if (localOffset === MAX32) localOffset = Number(buf.readBigUInt64LE(q));
      }
      e += 4 + len;
    }
    p = extraEnd + commentLength;

    const isDirectory = name.endsWith('/');
    if (flags & FLAG_ENCRYPTED) throw new ZipError(`${name}: encrypted entries are not supported`);
    if (size > maxEntry) throw new ZipError(`${name}: ${size} bytes once extracted, more than the ${maxEntry} allowed`);
    total += size;
    if (total > maxTotal) throw new ZipError(`the archive holds more than ${maxTotal} bytes once extracted`);

    need(buf, localOffset, 30, `${name}: local header`);
    if (buf.readUInt32LE(localOffset) !== SIG_LOCAL) throw new ZipError(`${name}: bad local header`);
    const start = localOffset + 30 + buf.readUInt16LE(localOffset + 26) + buf.readUInt16LE(localOffset + 28);
    need(buf, start, compressed, `${name}: data`);
    const body = buf.subarray(start, start + compressed);
    let data: Buffer;
    if (method === METHOD_STORE) data = Buffer.from(body);
    else if (method === METHOD_DEFLATE) {
      try {
        data = zlib.inflateRawSync(body, { maxOutputLength: Math.max(size, 1) });
      } catch (err) {
        throw new ZipError(`${name}: cannot inflate: ${(err as Error).message}`);
      }
    } else throw new ZipError(`${name}: compression method ${method} is not supported (only stored and deflated)`);
    if (data.length !== size) throw new ZipError(`${name}: ${data.length} bytes, but the directory says ${size}`);
    if (crc32(data) !== crc) throw new ZipError(`${name}: CRC-32 mismatch (the archive is corrupt)`);
    entries.push({ name, data, date: fromDos(time, date), isDirectory });
  }
  return entries;
}

/**
 * A relative, normalised form of an entry name that is safe to join under a folder ("zip slip"):
 * undefined for absolute names, drive letters, or names climbing out with "..".
 */
export function safeEntryName(name: string): string | undefined {
  const parts = name.replace(/\\/g, '/').split('/').filter((s) => s && s !== '.');
  if (!parts.length || name.startsWith('/') || /^[A-Za-z]:/.test(name) || parts.includes('..')) return undefined;
  return parts.join('/');
}
