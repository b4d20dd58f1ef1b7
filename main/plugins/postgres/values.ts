// PostgreSQL text values → JSON values, the way Debezium (and Kestra's JDBC plugin) hands them to a
// flow. Both CDC paths (pgoutput and the snapshot) read columns as text with the session settings
// of SESSION_OPTIONS, so one converter serves both:
//   int2/int4/oid → number; int8 → number (string beyond ±2^53); float4/float8 → number ("NaN",
//   "Infinity" stay strings); numeric/money → number when exact in a double, else the text;
//   bool → boolean; json/jsonb → the JSON text (Debezium's io.debezium.data.Json is a string);
//   bytea → base64 (Debezium's bytes, as Jackson writes them); date → "2024-01-31";
//   timestamptz → "2024-01-31T10:00:00.123456Z" (UTC); timestamp → the same with "Z" for CDC
//   (Debezium's MicroTimestamp read as an Instant) and without for queries (JDBC LocalDateTime);
//   time/timetz → their text; interval → ISO-8601 ("P1DT2H"); arrays → lists; anything else
//   (text, uuid, enums, inet, …) → the text.

/** Session settings that make every value's text form predictable. */
export const SESSION_OPTIONS = '-c TimeZone=UTC -c DateStyle=ISO -c IntervalStyle=iso_8601 -c extra_float_digits=3';

/** Debezium's placeholder for an unchanged TOASTed column it was not sent. */
export const UNAVAILABLE_VALUE = '__debezium_unavailable_value';

export interface ConvertOptions {
  /** CDC: a timestamp without time zone is written as UTC with a "Z" (Debezium); queries keep it local. */
  timestampAsUtc: boolean;
}

type Converter = (text: string, opts: ConvertOptions) => unknown;

const asInt: Converter = (t) => {
  const n = Number(t);
  return Number.isSafeInteger(n) ? n : t;
};
const asFloat: Converter = (t) => {
  const n = Number(t);
  return Number.isFinite(n) ? n : t;
};
/** Exact decimals become numbers; those a double cannot hold exactly stay text. */
const asDecimal: Converter = (t) => {
  const n = Number(t);
  if (!Number.isFinite(n)) return t;
  const digits = t.replace(/^-/, '').replace('.', '').replace(/^0+/, '');
  return digits.length <= 15 ? n : t;
};
const asMoney: Converter = (t, o) => asDecimal(t.replace(/[^0-9.\-]/g, ''), o);
const asBool: Converter = (t) => t === 't' || t === 'true';
const asBytes: Converter = (t) => (t.startsWith('\\x') ? Buffer.from(t.slice(2), 'hex').toString('base64') : Buffer.from(t, 'latin1').toString('base64'));
const asTimestampTz: Converter = (t) => isoDateTime(t, 'Z');
const asTimestamp: Converter = (t, o) => isoDateTime(t, o.timestampAsUtc ? 'Z' : '');
const asText: Converter = (t) => t;

/** "2024-01-31 10:00:00.5+00" → "2024-01-31T10:00:00.5Z"; infinity and BC dates stay as they are. */
function isoDateTime(t: string, zone: string): string {
  const m = /^(\d{4,}-\d\d-\d\d) (\d\d:\d\d:\d\d(?:\.\d+)?)([+-]\d\d(?::?\d\d)?(?::\d\d)?)?$/.exec(t);
  if (!m) return t;
  const offset = m[3];
  const z = offset === undefined ? zone : offset === '+00' || offset === '+00:00' ? 'Z' : offset.length === 3 ? `${offset}:00` : offset;
  return `${m[1]}T${m[2]}${z}`;
}

const SCALARS: Record<number, Converter> = {
  16: asBool,
  17: asBytes,
  20: asInt, 21: asInt, 23: asInt, 26: asInt,
  700: asFloat, 701: asFloat,
  790: asMoney,
  1700: asDecimal,
  1082: asText, // date: already ISO with DateStyle=ISO
  1083: asText, 1266: asText, // time, timetz
  1114: asTimestamp,
  1184: asTimestampTz,
  1186: asText, // interval: ISO-8601 with IntervalStyle=iso_8601
  114: asText, 3802: asText, // json, jsonb: Debezium keeps the JSON text
};

/** Array type → element type. */
const ARRAYS: Record<number, number> = {
  1000: 16, 1001: 17, 1005: 21, 1007: 23, 1016: 20, 1028: 26, 1021: 700, 1022: 701, 791: 790, 1231: 1700,
  1009: 25, 1015: 1043, 1014: 1042, 2951: 2950, 199: 114, 3807: 3802, 1182: 1082, 1183: 1083, 1270: 1266,
  1115: 1114, 1185: 1184, 1187: 1186,
};

/** Converts one column's text value (null stays null). */
export function convertValue(typeOid: number, text: string | null, opts: ConvertOptions): unknown {
  if (text === null) return null;
  const element = ARRAYS[typeOid];
  if (element !== undefined) {
    const convert = SCALARS[element] ?? asText;
    return mapArray(parseArray(text), (v) => (v === null ? null : convert(v, opts)));
  }
  return (SCALARS[typeOid] ?? asText)(text, opts);
}

type Nested = (string | null | Nested)[];

function mapArray(a: Nested, f: (v: string | null) => unknown): unknown[] {
  return a.map((v) => (Array.isArray(v) ? mapArray(v, f) : f(v)));
}

/** Parses PostgreSQL's array text form: {1,2,NULL}, {"a b","c\"d"}, {{1,2},{3,4}}, [0:1]={1,2}. */
export function parseArray(text: string): Nested {
  let i = text.startsWith('[') ? text.indexOf('=') + 1 : 0; // explicit bounds: skip them
  const malformed = () => new Error(`malformed array literal: ${text.length > 80 ? `${text.slice(0, 80)}…` : text}`);
  const parse = (): Nested => {
    if (text[i] !== '{') throw malformed();
    const out: Nested = [];
    i++;
    if (text[i] === '}') {
      i++;
      return out;
    }
    for (;;) {
      if (i >= text.length) throw malformed();
      if (text[i] === '{') out.push(parse());
      else if (text[i] === '"') {
        let s = '';
        i++;
        while (text[i] !== '"') {
          if (i >= text.length) throw malformed();
          if (text[i] === '\\') i++;
          s += text[i++];
        }
        i++;
        out.push(s);
      } else {
        let j = i;
        while (j < text.length && text[j] !== ',' && text[j] !== '}') j++;
        const raw = text.slice(i, j).trim();
        out.push(raw === 'NULL' ? null : raw);
        i = j;
      }
      if (text[i] === ',') i++;
      else if (text[i] === '}') {
        i++;
        return out;
      } else throw malformed();
    }
  };
  return parse();
}
