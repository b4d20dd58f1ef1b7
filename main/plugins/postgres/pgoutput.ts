// A decoder for PostgreSQL's built-in logical decoding output plugin, pgoutput (protocol 1).
// Values are kept as their text form (see values.ts for the conversion), so that types are
// converted the same way here and in the snapshot, whatever pg's global type parsers say.
// https://www.postgresql.org/docs/current/protocol-logicalrep-message-formats.html

export interface RelationColumn { name: string; typeOid: number; typeMod: number; isKey: boolean }
export interface Relation {
  oid: number;
  schema: string;
  table: string;
  replicaIdentity: 'default' | 'nothing' | 'full' | 'index';
  columns: RelationColumn[];
}

/** A tuple's values by column: text, null, or undefined for an unchanged TOAST value it was not sent. */
export type Tuple = (string | null | undefined)[];

export type PgOutputMessage =
  | { tag: 'begin'; finalLsn: bigint; commitTime: bigint; xid: number }
  | { tag: 'commit'; commitLsn: bigint; endLsn: bigint; commitTime: bigint }
  | { tag: 'relation'; relation: Relation }
  | { tag: 'insert'; relationOid: number; after: Tuple }
  | { tag: 'update'; relationOid: number; before?: Tuple; keyOnly: boolean; after: Tuple }
  | { tag: 'delete'; relationOid: number; before: Tuple; keyOnly: boolean }
  | { tag: 'truncate'; relationOids: number[] }
  | { tag: 'other'; code: string };

const IDENTITY: Record<string, Relation['replicaIdentity']> = { d: 'default', n: 'nothing', f: 'full', i: 'index' };

export function parsePgOutput(buf: Buffer): PgOutputMessage {
  let at = 0;
  const u8 = () => buf[at++];
  const i16 = () => {
    const v = buf.readInt16BE(at);
    at += 2;
    return v;
  };
  const i32 = () => {
    const v = buf.readInt32BE(at);
    at += 4;
    return v;
  };
  const u64 = () => {
    const v = buf.readBigUInt64BE(at);
    at += 8;
    return v;
  };
  const str = () => {
    const end = buf.indexOf(0, at);
    const s = buf.toString('utf8', at, end);
    at = end + 1;
    return s;
  };
  const tuple = (): Tuple => {
    const n = i16();
    const values: Tuple = new Array(n);
    for (let c = 0; c < n; c++) {
      const kind = u8();
      if (kind === 0x6e /* n */) values[c] = null;
      else if (kind === 0x75 /* u */) values[c] = undefined;
      else if (kind === 0x74 /* t */ || kind === 0x62 /* b */) {
        const len = i32();
        values[c] = kind === 0x74 ? buf.toString('utf8', at, at + len) : buf.subarray(at, at + len).toString('base64');
        at += len;
      } else throw new Error(`pgoutput: unknown tuple value kind ${String.fromCharCode(kind)}`);
    }
    return values;
  };
  const tag = String.fromCharCode(u8());
  switch (tag) {
    case 'B': {
      const finalLsn = u64();
      const commitTime = u64();
      return { tag: 'begin', finalLsn, commitTime, xid: buf.readUInt32BE(at) };
    }
    case 'C': {
      u8(); // flags
      return { tag: 'commit', commitLsn: u64(), endLsn: u64(), commitTime: u64() };
    }
    case 'R': {
      const oid = buf.readUInt32BE(at);
      at += 4;
      const schema = str();
      const table = str();
      const replicaIdentity = IDENTITY[String.fromCharCode(u8())] ?? 'default';
      const n = i16();
      const columns: RelationColumn[] = [];
      for (let c = 0; c < n; c++) {
        const flags = u8();
        const name = str();
        const typeOid = buf.readUInt32BE(at);
        at += 4;
        columns.push({ name, typeOid, typeMod: i32(), isKey: (flags & 1) === 1 });
      }
      return { tag: 'relation', relation: { oid, schema, table, replicaIdentity, columns } };
    }
    case 'I': {
      const relationOid = buf.readUInt32BE(at);
      at += 4;
      u8(); // 'N'
      return { tag: 'insert', relationOid, after: tuple() };
    }
    case 'U': {
      const relationOid = buf.readUInt32BE(at);
      at += 4;
      let kind = String.fromCharCode(u8());
      let before: Tuple | undefined;
      let keyOnly = false;
      if (kind === 'K' || kind === 'O') {
        before = tuple();
        keyOnly = kind === 'K';
        kind = String.fromCharCode(u8()); // 'N'
      }
      return { tag: 'update', relationOid, before, keyOnly, after: tuple() };
    }
    case 'D': {
      const relationOid = buf.readUInt32BE(at);
      at += 4;
      const kind = String.fromCharCode(u8());
      return { tag: 'delete', relationOid, keyOnly: kind === 'K', before: tuple() };
    }
    case 'T': {
      const n = i32();
      u8(); // options
      const relationOids: number[] = [];
      for (let r = 0; r < n; r++) {
        relationOids.push(buf.readUInt32BE(at));
        at += 4;
      }
      return { tag: 'truncate', relationOids };
    }
    default:
      return { tag: 'other', code: tag }; // Origin, Type, Message: nothing to do with them here
  }
}

/** "16/B374D848" ⇄ bigint. */
export function formatLsn(lsn: bigint): string {
  return `${(lsn >> 32n).toString(16).toUpperCase()}/${(lsn & 0xffffffffn).toString(16).toUpperCase()}`;
}
export function parseLsn(text: string): bigint {
  const [hi, lo] = text.split('/');
  return (BigInt(`0x${hi}`) << 32n) | BigInt(`0x${lo}`);
}

/** PostgreSQL timestamps on the wire: microseconds since 2000-01-01 UTC → ms since the epoch. */
export const PG_EPOCH_MS = 946_684_800_000;
export function pgTimeToMs(us: bigint): number {
  return Number(us / 1000n) + PG_EPOCH_MS;
}
