// Dates with Java semantics: Kestra's date filters (AbstractDate) parse ISO-8601 strings, epoch numbers
// and JS Dates into a zoned date-time, convert it to the target zone and format it with a Java
// DateTimeFormatter pattern or one of Kestra's named formats. Luxon does the zone and calendar
// arithmetic; pattern formatting and parsing are our own (Java's letters differ from luxon's).
// Precision is the nanosecond: luxon keeps milliseconds, `nano` keeps the sub-millisecond rest.
import { DateTime, FixedOffsetZone, IANAZone, type Zone } from 'luxon';
import { fail } from './errors';

export interface ZDT {
  /** The date-time at millisecond precision, in its zone. */
  dt: DateTime;
  /** Nanoseconds below the millisecond (0..999 999). */
  nano: number;
  /** Java zone id when the zone is a region ('Europe/Paris', 'UTC'); null for a fixed offset. */
  region: string | null;
}

interface ZoneInfo { zone: Zone; region: string | null }

// ---------------------------------------------------------------------------------------------
// Zones

const zoneCache = new Map<string, ZoneInfo>();
let systemZoneId: string | undefined;

export function systemZone(): string {
  if (systemZoneId === undefined) {
    systemZoneId = process.env.TZ && IANAZone.isValidZone(process.env.TZ)
      ? process.env.TZ
      : (Intl.DateTimeFormat().resolvedOptions().timeZone || 'UTC');
  }
  return systemZoneId;
}

/** Java's ZoneId.of: region ids, 'Z', '+02:00', 'UTC', 'GMT', 'UTC+2'. */
export function resolveZone(id: string): ZoneInfo {
  const cached = zoneCache.get(id);
  if (cached) return cached;
  let info: ZoneInfo | undefined;
  if (id === 'Z') info = { zone: FixedOffsetZone.utcInstance, region: null };
  else if (/^[+-]\d{1,2}(:?\d{2}(:?\d{2})?)?$/.test(id)) {
    const m = /^([+-])(\d{1,2})(?::?(\d{2}))?(?::?(\d{2}))?$/.exec(id)!;
    const mins = (Number(m[2]) * 60 + Number(m[3] ?? 0)) * (m[1] === '-' ? -1 : 1);
    info = { zone: FixedOffsetZone.instance(mins), region: null };
  } else if (id === 'UTC' || id === 'GMT' || id === 'UT') {
    info = { zone: FixedOffsetZone.utcInstance, region: id };
  } else if (/^(UTC|GMT|UT)[+-]/.test(id)) {
    const z = FixedOffsetZone.parseSpecifier(id.replace(/^(GMT|UT)/, 'UTC'));
    if (z) info = { zone: z, region: id };
  } else if (IANAZone.isValidZone(id)) {
    info = { zone: IANAZone.create(id), region: id };
  }
  if (!info) return fail(`Unknown time-zone ID: ${id}`);
  if (zoneCache.size > 500) zoneCache.clear();
  zoneCache.set(id, info);
  return info;
}

// ---------------------------------------------------------------------------------------------
// Conversion of inputs

const ISO_RE = /^([+-]?\d{4,9})-(\d{2})-(\d{2})(?:[Tt ](\d{2}):(\d{2})(?::(\d{2})(?:[.,](\d{1,9}))?)?)?(Z|z|[+-]\d{2}(?::?\d{2}(?::?\d{2})?)?)?(?:\[([^\]]+)\])?$/;

function fromParts(
  p: { year: number; month: number; day: number; hour: number; minute: number; second: number; nanoOfSecond: number },
  zi: ZoneInfo, text: string,
): ZDT {
  const ms = Math.floor(p.nanoOfSecond / 1e6);
  const dt = DateTime.fromObject(
    { year: p.year, month: p.month, day: p.day, hour: p.hour, minute: p.minute, second: p.second, millisecond: ms },
    { zone: zi.zone },
  );
  if (!dt.isValid || dt.day !== p.day || dt.month !== p.month) return fail(`Text '${text}' could not be parsed: invalid date`);
  return { dt, nano: p.nanoOfSecond - ms * 1e6, region: zi.region };
}

/** ISO-8601 date-time with optional offset and [zone]; a local one is placed in `zi`. */
export function parseIso(text: string, zi: ZoneInfo): ZDT {
  const m = ISO_RE.exec(text.trim());
  if (!m) return fail(`Text '${text}' could not be parsed as an ISO-8601 date`);
  const frac = m[7] ?? '';
  let zone = zi;
  if (m[9]) zone = resolveZone(m[9]);
  else if (m[8]) zone = resolveZone(m[8] === 'z' ? 'Z' : m[8]);
  return fromParts({
    year: Number(m[1]), month: Number(m[2]), day: Number(m[3]),
    hour: Number(m[4] ?? 0), minute: Number(m[5] ?? 0), second: Number(m[6] ?? 0),
    nanoOfSecond: frac ? Number(frac.padEnd(9, '0')) : 0,
  }, zone, text);
}

export function fromEpochMillis(ms: number, zi: ZoneInfo, nano = 0): ZDT {
  let whole = Math.floor(ms);
  let subNanos = Math.round((ms - whole) * 1e6) + nano;
  if (subNanos >= 1e6) {
    whole += Math.floor(subNanos / 1e6);
    subNanos %= 1e6;
  }
  return { dt: DateTime.fromMillis(whole, { zone: zi.zone }), nano: subNanos, region: zi.region };
}

/** Kestra's AbstractDate.convert: Date, epoch number, ISO or `existingFormat` string. */
export function toZdt(value: unknown, zi: ZoneInfo, existingFormat?: string): ZDT {
  if (value instanceof Date) return fromEpochMillis(value.getTime(), zi);
  if (typeof value === 'number') {
    if (!Number.isFinite(value)) return fail(`cannot convert ${value} to a date`);
    // Kestra reads a number as epoch seconds; one beyond year 5000 in seconds is taken as milliseconds.
    return Math.abs(value) >= 1e11 ? fromEpochMillis(value, zi) : fromEpochMillis(value * 1000, zi);
  }
  if (typeof value === 'bigint') return fromEpochMillis(Number(value) * 1000, zi);
  if (typeof value === 'string') {
    if (existingFormat !== undefined && existingFormat !== null) return parseWithFormat(value, existingFormat, zi);
    return parseIso(value, zi);
  }
  if (value && typeof value === 'object' && (value as { isLuxonDateTime?: boolean }).isLuxonDateTime) {
    const dt = value as DateTime;
    return { dt, nano: 0, region: dt.zone.type === 'iana' ? dt.zone.name : null };
  }
  return fail(`cannot convert a ${value === null ? 'null' : Array.isArray(value) ? 'list' : typeof value} to a date`);
}

export function withZone(z: ZDT, zi: ZoneInfo): ZDT {
  return { dt: z.dt.setZone(zi.zone), nano: z.nano, region: zi.region };
}

export function now(zi: ZoneInfo): ZDT {
  // performance.timeOrigin + performance.now() carries microseconds; keep it close to Date.now().
  const precise = performance.timeOrigin + performance.now();
  const wall = Date.now();
  const ms = Math.abs(precise - wall) < 5 ? precise : wall;
  const z = fromEpochMillis(ms, zi);
  z.nano = Math.floor(z.nano / 1000) * 1000;
  return z;
}

// ---------------------------------------------------------------------------------------------
// Arithmetic

const UNIT_NANOS: Record<string, number> = {
  NANOS: 1, MICROS: 1e3, MILLIS: 1e6, SECONDS: 1e9, MINUTES: 60e9, HOURS: 3600e9, HALF_DAYS: 43200e9,
};
const DATE_UNITS: Record<string, [string, number]> = {
  DAYS: ['days', 1], WEEKS: ['weeks', 1], MONTHS: ['months', 1], YEARS: ['years', 1],
  DECADES: ['years', 10], CENTURIES: ['years', 100], MILLENNIA: ['years', 1000],
};

/** ZonedDateTime.plus(amount, ChronoUnit): time units on the instant line, date units on the local date. */
export function plus(z: ZDT, amount: number, unit: string): ZDT {
  const t = UNIT_NANOS[unit];
  if (t !== undefined) {
    const totalNanos = amount * t + z.nano;
    const addMs = Math.floor(totalNanos / 1e6);
    const nano = totalNanos - addMs * 1e6;
    return { dt: z.dt.plus({ milliseconds: addMs }), nano, region: z.region };
  }
  const d = DATE_UNITS[unit];
  if (d) return { dt: z.dt.plus({ [d[0]]: amount * d[1] }), nano: z.nano, region: z.region };
  return fail(`unknown unit "${unit}": expected one of NANOS, MICROS, MILLIS, SECONDS, MINUTES, HOURS, HALF_DAYS, DAYS, WEEKS, MONTHS, YEARS, DECADES, CENTURIES, MILLENNIA`);
}

export function epochSecond(z: ZDT): number {
  return Math.floor(z.dt.toMillis() / 1000);
}

export function nanoOfSecond(z: ZDT): number {
  return z.dt.millisecond * 1e6 + z.nano;
}

// ---------------------------------------------------------------------------------------------
// Pattern tokens (shared by formatting and parsing)

type PTok = { lit: string } | { f: string; n: number } | { opt: PTok[] };

const patternCache = new Map<string, PTok[]>();
const LETTERS = 'GuyDMLdQqYwWEecFaBhKkHmsSAnNVvzOXxZ';

function compilePattern(pattern: string): PTok[] {
  const cached = patternCache.get(pattern);
  if (cached) return cached;
  const stack: PTok[][] = [[]];
  let i = 0;
  while (i < pattern.length) {
    const c = pattern[i];
    const cur = stack[stack.length - 1];
    if (c === "'") {
      const end = pattern.indexOf("'", i + 1);
      if (end === i + 1) {
        cur.push({ lit: "'" });
        i += 2;
        continue;
      }
      let j = i + 1;
      let text = '';
      for (;;) {
        const q = pattern.indexOf("'", j);
        if (q < 0) return fail(`Pattern ends with an incomplete string literal: ${pattern}`);
        text += pattern.slice(j, q);
        if (pattern[q + 1] === "'") {
          text += "'";
          j = q + 2;
          continue;
        }
        i = q + 1;
        break;
      }
      cur.push({ lit: text });
      continue;
    }
    if (c === '[') {
      const group: PTok[] = [];
      cur.push({ opt: group });
      stack.push(group);
      i++;
      continue;
    }
    if (c === ']') {
      if (stack.length === 1) return fail(`Pattern invalid as it contains ] without previous [: ${pattern}`);
      stack.pop();
      i++;
      continue;
    }
    if ((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z')) {
      if (!LETTERS.includes(c)) return fail(`Unknown pattern letter: ${c}`);
      let j = i + 1;
      while (pattern[j] === c) j++;
      cur.push({ f: c, n: j - i });
      i = j;
      continue;
    }
    if (c === '{' || c === '}' || c === '#') return fail(`Pattern includes reserved character: '${c}'`);
    cur.push({ lit: c });
    i++;
  }
  const toks = stack[0];
  if (patternCache.size > 1000) patternCache.clear();
  patternCache.set(pattern, toks);
  return toks;
}

// ---------------------------------------------------------------------------------------------
// Formatting

const MONTHS = ['January', 'February', 'March', 'April', 'May', 'June', 'July', 'August', 'September', 'October', 'November', 'December'];
const DAYS = ['Monday', 'Tuesday', 'Wednesday', 'Thursday', 'Friday', 'Saturday', 'Sunday'];

function pad(n: number, width: number): string {
  const neg = n < 0;
  let s = String(Math.abs(n));
  while (s.length < width) s = '0' + s;
  return neg ? '-' + s : s;
}

function tooMany(f: string): never {
  return fail(`Too many pattern letters: ${f}`);
}

function num(v: number, n: number, max = 2, f = ''): string {
  if (n > max) tooMany(f);
  return pad(v, n);
}

function yearText(y: number, n: number): string {
  if (n === 2) return pad(((y % 100) + 100) % 100, 2);
  return pad(y, n);
}

function text(full: string, n: number, f: string): string {
  if (n <= 3) return full.slice(0, 3);
  if (n === 4) return full;
  if (n === 5) return full[0];
  return tooMany(f);
}

function offsetText(offsetMinutes: number, style: 'X' | 'x' | 'Z' | 'O', n: number): string {
  const total = Math.round(offsetMinutes * 60); // seconds: historical zones have second offsets
  if (style === 'O') {
    if (total === 0) return 'GMT';
    const sign = total < 0 ? '-' : '+';
    const a = Math.abs(total);
    const h = Math.floor(a / 3600);
    const m = Math.floor((a % 3600) / 60);
    const sec = a % 60;
    if (n === 1) return `GMT${sign}${h}${m || sec ? ':' + pad(m, 2) : ''}${sec ? ':' + pad(sec, 2) : ''}`;
    if (n === 4) return `GMT${sign}${pad(h, 2)}:${pad(m, 2)}${sec ? ':' + pad(sec, 2) : ''}`;
    return fail('Pattern letter count must be 1 or 4: O');
  }
  if (style === 'Z') {
    if (n <= 3) return offsetText(offsetMinutes, 'x', 2);
    if (n === 4) return offsetText(offsetMinutes, 'O', 4);
    if (n === 5) return offsetText(offsetMinutes, 'X', 5);
    return tooMany('Z');
  }
  if (n > 5) return tooMany(style);
  if (style === 'X' && total === 0) return 'Z';
  const sign = total < 0 ? '-' : '+';
  const a = Math.abs(total);
  const h = pad(Math.floor(a / 3600), 2);
  const mm = Math.floor((a % 3600) / 60);
  const m = pad(mm, 2);
  const sec = a % 60;
  switch (n) {
    case 1: return mm ? `${sign}${h}${m}` : `${sign}${h}`;
    case 2: return `${sign}${h}${m}`;
    case 3: return `${sign}${h}:${m}`;
    case 4: return `${sign}${h}${m}${sec ? pad(sec, 2) : ''}`;
    default: return `${sign}${h}:${m}${sec ? ':' + pad(sec, 2) : ''}`;
  }
}

function zoneName(z: ZDT, style: 'short' | 'long' | 'shortGeneric' | 'longGeneric'): string {
  if (z.region === null) return offsetText(z.dt.offset, 'X', 5);
  if (z.region === 'UTC' || z.region === 'GMT' || z.region === 'UT') {
    return style.startsWith('long') ? (z.region === 'GMT' ? 'Greenwich Mean Time' : 'Coordinated Universal Time') : z.region;
  }
  try {
    const parts = new Intl.DateTimeFormat('en-US', { timeZone: z.dt.zone.name, timeZoneName: style }).formatToParts(z.dt.toJSDate());
    return parts.find((p) => p.type === 'timeZoneName')?.value ?? z.region;
  } catch {
    return z.region;
  }
}

/** Day of week with Sunday = 1 (en-US WeekFields). */
function usDow(dt: DateTime): number {
  return (dt.weekday % 7) + 1;
}

/** en-US week-based year and week (weeks start on Sunday, week 1 contains January 1st). */
function usWeek(dt: DateTime): { year: number; week: number } {
  const sunday = dt.startOf('day').minus({ days: usDow(dt) - 1 });
  const nextJan1 = DateTime.fromObject({ year: dt.year + 1, month: 1, day: 1 }, { zone: dt.zone });
  if (sunday.plus({ days: 6 }) >= nextJan1) return { year: dt.year + 1, week: 1 };
  const jan1 = DateTime.fromObject({ year: dt.year, month: 1, day: 1 }, { zone: dt.zone });
  const start = jan1.minus({ days: usDow(jan1) - 1 });
  return { year: dt.year, week: Math.round(sunday.diff(start, 'days').days / 7) + 1 };
}

function usWeekOfMonth(dt: DateTime): number {
  const first = dt.startOf('month');
  const start = first.minus({ days: usDow(first) - 1 });
  const sunday = dt.startOf('day').minus({ days: usDow(dt) - 1 });
  return Math.round(sunday.diff(start, 'days').days / 7) + 1;
}

function formatTokens(z: ZDT, toks: PTok[]): string {
  const dt = z.dt;
  let out = '';
  for (const t of toks) {
    if ('lit' in t) {
      out += t.lit;
      continue;
    }
    if ('opt' in t) {
      out += formatTokens(z, t.opt);
      continue;
    }
    const n = t.n;
    switch (t.f) {
      case 'G': out += n <= 3 ? (dt.year > 0 ? 'AD' : 'BC') : n === 4 ? (dt.year > 0 ? 'Anno Domini' : 'Before Christ') : n === 5 ? (dt.year > 0 ? 'A' : 'B') : tooMany('G'); break;
      case 'u': out += yearText(dt.year, n); break;
      case 'y': out += yearText(dt.year > 0 ? dt.year : 1 - dt.year, n); break;
      case 'Y': out += yearText(usWeek(dt).year, n); break;
      case 'M': case 'L': out += n <= 2 ? pad(dt.month, n) : text(MONTHS[dt.month - 1], n, t.f); break;
      case 'd': out += num(dt.day, n, 2, 'd'); break;
      case 'D': out += n > 3 ? tooMany('D') : pad(dt.ordinal, n); break;
      case 'Q': case 'q': {
        const q = Math.ceil(dt.month / 3);
        out += n <= 2 ? pad(q, n) : n === 3 ? `Q${q}` : n === 4 ? `${['1st', '2nd', '3rd', '4th'][q - 1]} quarter` : n === 5 ? String(q) : tooMany(t.f);
        break;
      }
      case 'w': out += num(usWeek(dt).week, n, 2, 'w'); break;
      case 'W': out += num(usWeekOfMonth(dt), n, 1, 'W'); break;
      case 'E': out += text(DAYS[dt.weekday - 1], n, 'E'); break;
      case 'e': case 'c': out += n <= 2 ? (t.f === 'c' && n === 2 ? tooMany('c') : pad(usDow(dt), n)) : text(DAYS[dt.weekday - 1], n, t.f); break;
      case 'F': out += num(Math.floor((dt.day - 1) / 7) + 1, n, 1, 'F'); break;
      case 'a': out += n > 1 ? tooMany('a') : dt.hour < 12 ? 'AM' : 'PM'; break;
      case 'B': out += dt.hour < 12 ? 'in the morning' : dt.hour < 18 ? 'in the afternoon' : dt.hour < 21 ? 'in the evening' : 'at night'; break;
      case 'h': out += num(dt.hour % 12 === 0 ? 12 : dt.hour % 12, n, 2, 'h'); break;
      case 'K': out += num(dt.hour % 12, n, 2, 'K'); break;
      case 'k': out += num(dt.hour === 0 ? 24 : dt.hour, n, 2, 'k'); break;
      case 'H': out += num(dt.hour, n, 2, 'H'); break;
      case 'm': out += num(dt.minute, n, 2, 'm'); break;
      case 's': out += num(dt.second, n, 2, 's'); break;
      case 'S': out += n > 9 ? tooMany('S') : pad(nanoOfSecond(z), 9).slice(0, n); break;
      case 'A': out += pad(((dt.hour * 60 + dt.minute) * 60 + dt.second) * 1000 + dt.millisecond, n); break;
      case 'n': out += pad(nanoOfSecond(z), n); break;
      case 'N': out += String(BigInt((dt.hour * 60 + dt.minute) * 60 + dt.second) * 1000000000n + BigInt(nanoOfSecond(z))).padStart(n, '0'); break;
      case 'V': out += n !== 2 ? fail('Pattern letter count must be 2: V') : z.region ?? offsetText(dt.offset, 'X', 5); break;
      case 'v': out += n === 1 ? zoneName(z, 'shortGeneric') : n === 4 ? zoneName(z, 'longGeneric') : fail('Wrong number of pattern letters: v'); break;
      case 'z': out += n <= 3 ? zoneName(z, 'short') : n === 4 ? zoneName(z, 'long') : tooMany('z'); break;
      case 'O': out += offsetText(dt.offset, 'O', n); break;
      case 'X': out += offsetText(dt.offset, 'X', n); break;
      case 'x': out += offsetText(dt.offset, 'x', n); break;
      case 'Z': out += offsetText(dt.offset, 'Z', n); break;
      default: return fail(`Unknown pattern letter: ${t.f}`);
    }
  }
  return out;
}

/** Java's appendFraction(NANO, 0, 9): minimal digits, nothing when zero. */
function minimalFraction(z: ZDT): string {
  const ns = nanoOfSecond(z);
  if (ns === 0) return '';
  return '.' + pad(ns, 9).replace(/0+$/, '');
}

/** ISO_INSTANT's fraction: 0, 3, 6 or 9 digits. */
function groupedFraction(z: ZDT): string {
  const ns = nanoOfSecond(z);
  if (ns === 0) return '';
  if (ns % 1e6 === 0) return '.' + pad(ns / 1e6, 3);
  if (ns % 1e3 === 0) return '.' + pad(ns / 1e3, 6);
  return '.' + pad(ns, 9);
}

function isoDate(dt: DateTime): string {
  const y = dt.year;
  const year = y > 9999 ? '+' + y : y < 0 ? '-' + pad(-y, 4) : pad(y, 4);
  return `${year}-${pad(dt.month, 2)}-${pad(dt.day, 2)}`;
}

function isoLocalTime(z: ZDT): string {
  const dt = z.dt;
  return `${pad(dt.hour, 2)}:${pad(dt.minute, 2)}:${pad(dt.second, 2)}${minimalFraction(z)}`;
}

function offsetId(z: ZDT): string {
  return offsetText(z.dt.offset, 'X', 5);
}

const NAMED_PATTERNS: Record<string, string> = {
  iso: "yyyy-MM-dd'T'HH:mm:ss.SSSSSSXXX",
  iso_sec: "yyyy-MM-dd'T'HH:mm:ssXXX",
  sql: 'yyyy-MM-dd HH:mm:ss.SSSSSS',
  sql_seq: 'yyyy-MM-dd HH:mm:ss',
};

const NNBSP = '\u202f';
const NAMED: Record<string, (z: ZDT) => string> = {
  iso_date_time: (z) => isoDate(z.dt) + 'T' + isoLocalTime(z) + offsetId(z) + (z.region ? `[${z.region}]` : ''),
  iso_zoned_date_time: (z) => isoDate(z.dt) + 'T' + isoLocalTime(z) + offsetId(z) + (z.region ? `[${z.region}]` : ''),
  iso_offset_date_time: (z) => isoDate(z.dt) + 'T' + isoLocalTime(z) + offsetId(z),
  iso_date: (z) => isoDate(z.dt) + offsetId(z),
  iso_time: (z) => isoLocalTime(z) + offsetId(z),
  iso_local_date: (z) => isoDate(z.dt),
  iso_local_time: (z) => isoLocalTime(z),
  iso_local_date_time: (z) => isoDate(z.dt) + 'T' + isoLocalTime(z),
  iso_offset_time: (z) => isoLocalTime(z) + offsetId(z),
  iso_offset_date: (z) => isoDate(z.dt) + offsetId(z),
  iso_instant: (z) => {
    const u = { dt: z.dt.toUTC(), nano: z.nano, region: null };
    return isoDate(u.dt) + 'T' + `${pad(u.dt.hour, 2)}:${pad(u.dt.minute, 2)}:${pad(u.dt.second, 2)}` + groupedFraction(u) + 'Z';
  },
  iso_ordinal_date: (z) => `${pad(z.dt.year, 4)}-${pad(z.dt.ordinal, 3)}${offsetId(z)}`,
  iso_week_date: (z) => `${pad(z.dt.weekYear, 4)}-W${pad(z.dt.weekNumber, 2)}-${z.dt.weekday}${offsetId(z)}`,
  basic_iso_date: (z) => `${pad(z.dt.year, 4)}${pad(z.dt.month, 2)}${pad(z.dt.day, 2)}${z.dt.offset === 0 ? 'Z' : offsetText(z.dt.offset, 'x', 2)}`,
  rfc_1123_date_time: (z) => {
    const dt = z.dt;
    const off = dt.offset === 0 ? 'GMT' : offsetText(dt.offset, 'x', 2);
    return `${DAYS[dt.weekday - 1].slice(0, 3)}, ${dt.day} ${MONTHS[dt.month - 1].slice(0, 3)} ${pad(dt.year, 4)} ${pad(dt.hour, 2)}:${pad(dt.minute, 2)}:${pad(dt.second, 2)} ${off}`;
  },
  // Localized styles, en-US as Java 21 (CLDR 42) prints them.
  short: (z) => formatTokens(z, compilePattern(`M/d/yy, h:mm${NNBSP}a`)),
  medium: (z) => formatTokens(z, compilePattern(`MMM d, y, h:mm:ss${NNBSP}a`)),
  long: (z) => formatTokens(z, compilePattern(`MMMM d, y 'at' h:mm:ss${NNBSP}a z`)),
  full: (z) => formatTokens(z, compilePattern(`EEEE, MMMM d, y 'at' h:mm:ss${NNBSP}a zzzz`)),
};

/** Formats with a named format (iso, sql, iso_date_time, …) or a DateTimeFormatter pattern. */
export function formatDate(z: ZDT, format: string): string {
  const named = NAMED[format];
  if (named) return named(z);
  return formatTokens(z, compilePattern(NAMED_PATTERNS[format] ?? format));
}

// ---------------------------------------------------------------------------------------------
// Parsing with a pattern (existingFormat)

interface Fields {
  year?: number; yearOfEra?: number; twoDigitYear?: number; month?: number; day?: number; dayOfYear?: number;
  hour?: number; hour12?: number; pm?: boolean; minute?: number; second?: number; nano?: number;
  offset?: number; zone?: string;
}

function parseTokens(s: string, pos: number, toks: PTok[], f: Fields): number {
  for (let ti = 0; ti < toks.length; ti++) {
    const t = toks[ti];
    if ('lit' in t) {
      if (!s.startsWith(t.lit, pos)) return -1;
      pos += t.lit.length;
      continue;
    }
    if ('opt' in t) {
      const copy: Fields = { ...f };
      const p = parseTokens(s, pos, t.opt, copy);
      if (p >= 0) {
        Object.assign(f, copy);
        pos = p;
      }
      continue;
    }
    const next = toks[ti + 1];
    const adjacent = next !== undefined && 'f' in next && 'yuMdDHhKkmsSnAe'.includes(next.f) && (next.f !== 'M' || next.n <= 2);
    const readNum = (min: number, max: number): number | undefined => {
      let j = pos;
      if (s[j] === '+' || s[j] === '-') j++;
      const limit = adjacent ? Math.min(pos + max, s.length) : s.length;
      while (j < limit && s[j] >= '0' && s[j] <= '9' && j - pos < (adjacent ? max : 19)) j++;
      if (j - pos < min) return undefined;
      const v = Number(s.slice(pos, j));
      pos = j;
      return v;
    };
    const readText = (names: string[], n: number): number | undefined => {
      const cands = names.map((full, idx) => ({ idx, txt: n === 4 ? full : n === 5 ? full[0] : full.slice(0, 3) }))
        .sort((a, b) => b.txt.length - a.txt.length);
      for (const c of cands) {
        if (s.slice(pos, pos + c.txt.length).toLowerCase() === c.txt.toLowerCase()) {
          pos += c.txt.length;
          return c.idx;
        }
      }
      return undefined;
    };
    let v: number | undefined;
    const n = t.n;
    switch (t.f) {
      case 'y': case 'u': case 'Y':
        if (n === 2) {
          v = readNum(2, 2);
          if (v === undefined) return -1;
          f.twoDigitYear = v;
        } else {
          v = readNum(n, n >= 4 && adjacent ? n : 10);
          if (v === undefined) return -1;
          if (t.f === 'y') f.yearOfEra = v;
          else f.year = v;
        }
        break;
      case 'M': case 'L':
        if (n <= 2) v = readNum(n, 2);
        else {
          const idx = readText(MONTHS, n);
          v = idx === undefined ? undefined : idx + 1;
        }
        if (v === undefined) return -1;
        f.month = v;
        break;
      case 'd': v = readNum(n, 2); if (v === undefined) return -1; f.day = v; break;
      case 'D': v = readNum(n, 3); if (v === undefined) return -1; f.dayOfYear = v; break;
      case 'E': if (readText(DAYS, n) === undefined) return -1; break;
      case 'e': case 'c': if (n <= 2) { if (readNum(n, 2) === undefined) return -1; } else if (readText(DAYS, n) === undefined) return -1; break;
      case 'a': {
        const ap = s.slice(pos, pos + 2).toUpperCase();
        if (ap !== 'AM' && ap !== 'PM') return -1;
        f.pm = ap === 'PM';
        pos += 2;
        break;
      }
      case 'H': case 'k': v = readNum(n, 2); if (v === undefined) return -1; f.hour = t.f === 'k' && v === 24 ? 0 : v; break;
      case 'h': case 'K': v = readNum(n, 2); if (v === undefined) return -1; f.hour12 = v % 12; break;
      case 'm': v = readNum(n, 2); if (v === undefined) return -1; f.minute = v; break;
      case 's': v = readNum(n, 2); if (v === undefined) return -1; f.second = v; break;
      case 'S': {
        let j = pos;
        while (j < s.length && j - pos < n && s[j] >= '0' && s[j] <= '9') j++;
        if (j - pos !== n) return -1;
        f.nano = Number(s.slice(pos, j).padEnd(9, '0'));
        pos = j;
        break;
      }
      case 'n': v = readNum(1, 9); if (v === undefined) return -1; f.nano = v; break;
      case 'X': case 'x': case 'Z': case 'O': {
        if ((t.f === 'X' || (t.f === 'Z' && n === 5)) && (s[pos] === 'Z' || s[pos] === 'z')) {
          f.offset = 0;
          pos++;
          break;
        }
        if (s.startsWith('GMT', pos)) {
          pos += 3;
          if (s[pos] !== '+' && s[pos] !== '-') {
            f.offset = 0;
            break;
          }
        }
        const m = /^([+-])(\d{1,2})(?::?(\d{2}))?(?::?(\d{2}))?/.exec(s.slice(pos));
        if (!m) return -1;
        f.offset = (Number(m[2]) * 60 + Number(m[3] ?? 0)) * (m[1] === '-' ? -1 : 1);
        pos += m[0].length;
        break;
      }
      case 'V': case 'z': case 'v': {
        const m = /^[A-Za-z][A-Za-z0-9_/+-]*/.exec(s.slice(pos));
        if (!m) return -1;
        f.zone = m[0];
        pos += m[0].length;
        break;
      }
      case 'G': {
        const m = /^(AD|BC|Anno Domini|Before Christ)/.exec(s.slice(pos));
        if (!m) return -1;
        pos += m[0].length;
        break;
      }
      default:
        return fail(`pattern letter "${t.f}" is not supported when parsing dates`);
    }
  }
  return pos;
}

/** Parses `text` with a Java pattern; like Kestra, a text without a time means the start of the day. */
export function parseWithFormat(text: string, format: string, zi: ZoneInfo): ZDT {
  const named = NAMED_PATTERNS[format];
  if (!named && NAMED[format]) return parseIso(text, zi);
  const f: Fields = {};
  const end = parseTokens(text, 0, compilePattern(named ?? format), f);
  if (end !== text.length) {
    return fail(`Text '${text}' could not be parsed with format '${format}'${end >= 0 ? `, unparsed text found at index ${end}` : ''}`);
  }
  let year = f.year ?? f.yearOfEra;
  if (year === undefined && f.twoDigitYear !== undefined) year = 2000 + f.twoDigitYear;
  let month = f.month;
  let day = f.day;
  if (year !== undefined && f.dayOfYear !== undefined && (month === undefined || day === undefined)) {
    const d = DateTime.fromObject({ year, ordinal: f.dayOfYear });
    month = d.month;
    day = d.day;
  }
  if (year === undefined || month === undefined || day === undefined) {
    return fail(`Text '${text}' could not be parsed with format '${format}': a date needs a year, a month and a day`);
  }
  let hour = f.hour;
  if (hour === undefined && f.hour12 !== undefined) hour = f.hour12 + (f.pm ? 12 : 0);
  let zone = zi;
  if (f.zone !== undefined) zone = resolveZone(f.zone);
  else if (f.offset !== undefined) zone = { zone: FixedOffsetZone.instance(f.offset), region: null };
  return fromParts({
    year, month, day, hour: hour ?? 0, minute: f.minute ?? 0, second: f.second ?? 0, nanoOfSecond: f.nano ?? 0,
  }, zone, text);
}
