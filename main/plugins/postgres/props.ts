// Properties of the Debezium PostgreSQL triggers, named and defaulted as Kestra's plugin names
// them (io.kestra.plugin.debezium.postgres.*), and the pg client settings they make.
import fs from 'node:fs';
import type pg from 'pg';
import { z } from 'zod';
import { p } from '../schema';
import { SESSION_OPTIONS } from './values';

const regexList = (what: string) =>
  z
    .union([z.string(), z.array(z.string())])
    .describe(`${what} A regular expression or a list of them (a string may also hold several, comma-separated, as Debezium reads it); each must match the whole name.`);

/** What a flow written for Kestra may set on either Debezium PostgreSQL trigger. */
export const cdcProps = {
  hostname: z.string().describe('Hostname of the PostgreSQL server.'),
  port: p.int('Port of the PostgreSQL server (Kestra writes it as a string, "5432"; both are accepted).').default(5432),
  username: z.string().optional().describe('User to connect as; it needs the REPLICATION attribute (or to be a superuser) and SELECT on the captured tables.'),
  password: z.string().optional().describe('Password of that user.'),
  database: z.string().describe('The name of the PostgreSQL database from which to stream the changes.'),
  pluginName: p
    .enum(['PGOUTPUT', 'DECODERBUFS', 'WAL2JSON', 'WAL2JSON_RDS', 'WAL2JSON_STREAMING', 'WAL2JSON_RDS_STREAMING'])
    .default('PGOUTPUT')
    .describe('The logical decoding plugin. Peregrine reads PostgreSQL\'s built-in pgoutput only; the others are accepted so that Kestra flows validate, and refused with a clear error when the trigger starts.'),
  slotName: z.string().default('kestra').describe('The logical replication slot; created (pgoutput) when missing. One slot serves one consumer at a time.'),
  publicationName: z.string().default('kestra_publication').describe('The publication read through the slot; created FOR ALL TABLES when missing (as Debezium does), which needs a superuser.'),
  sslMode: p.enum(['DISABLE', 'REQUIRE', 'VERIFY_CA', 'VERIFY_FULL']).default('DISABLE').describe('DISABLE: plain TCP. REQUIRE: TLS without checking the certificate. VERIFY_CA: TLS, certificate signed by sslRootCert. VERIFY_FULL: also checks the host name.'),
  sslRootCert: z.string().optional().describe('PEM root certificate(s) the server certificate is checked against.'),
  sslCert: z.string().optional().describe('PEM client certificate.'),
  sslKey: z.string().optional().describe('PEM client private key.'),
  sslKeyPassword: z.string().optional().describe('Password of sslKey.'),
  snapshotMode: p
    .enum(['INITIAL', 'ALWAYS', 'NEVER', 'INITIAL_ONLY'])
    .default('INITIAL')
    .describe('INITIAL: the existing rows first (once), then the changes. ALWAYS: a snapshot at every start. NEVER: only changes made after the slot exists. INITIAL_ONLY: the snapshot and no changes.'),
  format: p.enum(['RAW', 'INLINE', 'WRAP']).default('INLINE').describe('INLINE: the row\'s columns plus the deleted/key/metadata fields. WRAP: the row under `record`. RAW: Debezium\'s {key, value} with value = {before, after, source, op, ts_ms}.'),
  deleted: p.enum(['ADD_FIELD', 'NULL', 'DROP']).default('ADD_FIELD').describe('ADD_FIELD: add a boolean `deletedFieldName`. NULL: a deleted row with every column null. DROP: no execution for deletes.'),
  deletedFieldName: z.string().default('deleted'),
  key: p.enum(['ADD_FIELD', 'DROP']).default('ADD_FIELD').describe('ADD_FIELD: the primary key columns merged into the data.'),
  metadata: p.enum(['ADD_FIELD', 'DROP']).default('ADD_FIELD').describe('ADD_FIELD: a `metadataFieldName` field with operation, source (db, schema, table, lsn, txId, timestamp…) and timestamp.'),
  metadataFieldName: z.string().default('metadata'),
  splitTable: p.enum(['OFF', 'DATABASE', 'TABLE']).default('TABLE').describe('How `stream` is named: TABLE "database.table", DATABASE "database", OFF "data".'),
  ignoreDdl: p.bool('pgoutput carries no DDL, so there is nothing to ignore; accepted for Kestra.').default(true),
  includedDatabases: regexList('Accepted for Kestra and ignored: a PostgreSQL connection reads one database.').optional(),
  excludedDatabases: regexList('Accepted for Kestra and ignored: a PostgreSQL connection reads one database.').optional(),
  includedTables: regexList('Tables to capture, as "schema.table" (e.g. public\\.orders).').optional(),
  excludedTables: regexList('Tables not to capture, as "schema.table".').optional(),
  includedColumns: regexList('Columns to keep in row images, as "schema.table.column".').optional(),
  excludedColumns: regexList('Columns to leave out of row images, as "schema.table.column".').optional(),
  properties: z.record(z.string(), z.any()).optional().describe('Additional Debezium connector properties: accepted for Kestra; Peregrine does not run Debezium and ignores them (a note is logged).'),
  stateName: z.string().default('debezium-state').describe('Names the trigger\'s saved state (whether the snapshot is done).'),
};

export const cdcSchema = z.object(cdcProps);
export type CdcProps = z.infer<typeof cdcSchema>;

/** What shaping needs from the properties. */
export interface ChangeOptions {
  database: string;
  format: 'RAW' | 'INLINE' | 'WRAP';
  deleted: 'ADD_FIELD' | 'NULL' | 'DROP';
  deletedFieldName: string;
  key: 'ADD_FIELD' | 'DROP';
  metadata: 'ADD_FIELD' | 'DROP';
  metadataFieldName: string;
  splitTable: 'OFF' | 'DATABASE' | 'TABLE';
}

export function changeOptions(props: CdcProps): ChangeOptions {
  return props as unknown as ChangeOptions;
}

/** Settings for pg.Client (fail fast: the trigger supervisor owns retries). */
export function clientConfig(props: CdcProps): pg.ClientConfig {
  return {
    host: props.hostname,
    port: Number(props.port),
    user: props.username,
    password: props.password ?? '',
    database: props.database,
    ssl: sslConfig(props),
    options: SESSION_OPTIONS,
    connectionTimeoutMillis: 10_000,
    keepAlive: true,
    application_name: 'peregrine-cdc',
  } as pg.ClientConfig;
}

function readPem(value: string | undefined): string | undefined {
  if (!value) return undefined;
  // Kestra passes PEM text; a path to a PEM file is accepted too.
  return !value.includes('-----BEGIN') && fs.existsSync(value) ? fs.readFileSync(value, 'utf8') : value;
}

export function sslConfig(props: Pick<CdcProps, 'sslMode' | 'sslRootCert' | 'sslCert' | 'sslKey' | 'sslKeyPassword'>): pg.ClientConfig['ssl'] {
  const mode = props.sslMode;
  if (mode === 'DISABLE') return false;
  const common = {
    ...(readPem(props.sslCert) ? { cert: readPem(props.sslCert) } : {}),
    ...(readPem(props.sslKey) ? { key: readPem(props.sslKey) } : {}),
    ...(props.sslKeyPassword ? { passphrase: props.sslKeyPassword } : {}),
  };
  if (mode === 'REQUIRE') return { ...common, rejectUnauthorized: false };
  const ca = readPem(props.sslRootCert);
  if (mode === 'VERIFY_CA') return { ...common, ...(ca ? { ca } : {}), rejectUnauthorized: true, checkServerIdentity: () => undefined };
  return { ...common, ...(ca ? { ca } : {}), rejectUnauthorized: true };
}

/** Debezium reads a list property as comma-separated regular expressions, each matching the whole name. */
export function patterns(value: string | string[] | undefined): RegExp[] | undefined {
  if (value === undefined) return undefined;
  const items = (Array.isArray(value) ? value : value.split(/(?<!\\),/)).map((s) => s.replace(/\\,/g, ',').trim()).filter(Boolean);
  return items.map((s) => new RegExp(`^(?:${s})$`, 'i'));
}

export class NameFilter {
  private readonly include?: RegExp[];
  private readonly exclude?: RegExp[];
  constructor(include: string | string[] | undefined, exclude: string | string[] | undefined) {
    this.include = patterns(include);
    this.exclude = patterns(exclude);
  }
  get active(): boolean {
    return !!(this.include || this.exclude);
  }
  accepts(name: string): boolean {
    if (this.include && !this.include.some((r) => r.test(name))) return false;
    if (this.exclude && this.exclude.some((r) => r.test(name))) return false;
    return true;
  }
}
