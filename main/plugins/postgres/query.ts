// io.kestra.plugin.jdbc.postgresql.Query and Queries: run SQL against PostgreSQL (so a prototype can
// write the rows a CDC trigger sees). Properties and outputs as Kestra's JDBC plugin names them:
// `url` (jdbc:postgresql://host:port/db), `username`, `password`, `sql`, `parameters` (:name
// placeholders), `fetchType` NONE | FETCH_ONE | FETCH | STORE → `row` / `rows` / `uri` + `size`.
import pg from 'pg';
import { z } from 'zod';
import { p } from '../schema';
import type { TaskContext, TaskDefinition } from '../types';
import { sslConfig } from './props';
import { convertValue } from './values';

const jdbcProps = {
  url: z.string().describe('The JDBC URL, e.g. jdbc:postgresql://127.0.0.1:5432/shop (user, password, ssl, sslmode and currentSchema are read from its query string too).'),
  username: z.string().optional(),
  password: z.string().optional(),
  timeZoneId: z.string().optional().describe('The session time zone (default UTC).'),
  sql: z.string().describe('The SQL to run.'),
  afterSQL: z.string().optional().describe('SQL run after `sql` in the same transaction.'),
  fetchType: p.enum(['NONE', 'FETCH_ONE', 'FETCH', 'STORE']).default('NONE').describe('NONE: no rows. FETCH_ONE: the first row as `row`. FETCH: all rows as `rows`. STORE: all rows in a JSON-lines file in internal storage (`uri`).'),
  fetchSize: p.int('Rows per round trip with STORE (accepted; rows are read at once).').default(10000),
  parameters: z.record(z.string(), z.any()).optional().describe('Values bound to :name placeholders of the SQL.'),
  store: p.bool('Deprecated: fetchType STORE.').optional(),
  fetch: p.bool('Deprecated: fetchType FETCH.').optional(),
  fetchOne: p.bool('Deprecated: fetchType FETCH_ONE.').optional(),
  ssl: p.bool('Use TLS.').default(false),
  sslMode: p.enum(['DISABLE', 'ALLOW', 'PREFER', 'REQUIRE', 'VERIFY_CA', 'VERIFY_FULL']).optional(),
  sslRootCert: z.string().optional(),
  sslCert: z.string().optional(),
  sslKey: z.string().optional(),
  sslKeyPassword: z.string().optional(),
  autoCommit: p.bool('Accepted for Kestra (Query always commits).').optional(),
};

type QueryProps = {
  url: string; username?: string; password?: string; timeZoneId?: string; sql: string; afterSQL?: string;
  fetchType: 'NONE' | 'FETCH_ONE' | 'FETCH' | 'STORE'; parameters?: Record<string, unknown>;
  store?: boolean; fetch?: boolean; fetchOne?: boolean; ssl: boolean; sslMode?: string;
  sslRootCert?: string; sslCert?: string; sslKey?: string; sslKeyPassword?: string; transaction?: boolean;
};

/** Parses jdbc:postgresql://host[:port][/database][?k=v…] (or jdbc:postgresql:database). */
export function parseJdbcUrl(url: string): { host: string; port: number; database?: string; params: Record<string, string> } {
  const m = /^jdbc:postgresql:(?:\/\/([^/?]*))?\/?([^?]*)(?:\?(.*))?$/i.exec(url.trim());
  if (!m) throw new Error(`not a PostgreSQL JDBC URL: ${url} (expected jdbc:postgresql://host:port/database)`);
  const [, hostPart, database, query] = m;
  const first = (hostPart || 'localhost').split(',')[0];
  const v6 = /^\[([^\]]+)\](?::(\d+))?$/.exec(first);
  const [host, port] = v6 ? [v6[1], v6[2]] : first.split(':');
  const params = Object.fromEntries(new URLSearchParams(query ?? ''));
  return { host: host || 'localhost', port: port ? Number(port) : 5432, ...(database ? { database: decodeURIComponent(database) } : {}), params };
}

async function connect(props: QueryProps): Promise<pg.Client> {
  const { host, port, database, params } = parseJdbcUrl(props.url);
  const mode = (props.sslMode ?? params.sslmode ?? (props.ssl || params.ssl === 'true' ? 'REQUIRE' : 'DISABLE')).toUpperCase().replace('-', '_');
  const ssl = mode === 'DISABLE' || mode === 'ALLOW' || mode === 'PREFER'
    ? false
    : sslConfig({ sslMode: mode as 'REQUIRE', sslRootCert: props.sslRootCert, sslCert: props.sslCert, sslKey: props.sslKey, sslKeyPassword: props.sslKeyPassword });
  const options = [`-c TimeZone=${props.timeZoneId ?? 'UTC'}`, '-c DateStyle=ISO', '-c IntervalStyle=iso_8601', '-c extra_float_digits=3'];
  if (params.currentSchema) options.push(`-c search_path=${params.currentSchema}`);
  const client = new pg.Client({
    host, port, database, user: props.username ?? params.user, password: props.password ?? params.password ?? '',
    ssl, options: options.join(' '), connectionTimeoutMillis: 10_000, application_name: params.ApplicationName ?? 'peregrine',
  } as pg.ClientConfig);
  client.on('error', () => {}); // surfaced by the query that fails
  await client.connect();
  return client;
}

/** Replaces :name placeholders (not :: casts, not inside quotes) with $n and collects the values. */
export function bindParameters(sql: string, parameters: Record<string, unknown> | undefined): { text: string; values: unknown[] } {
  if (!parameters || !Object.keys(parameters).length) return { text: sql, values: [] };
  const values: unknown[] = [];
  const index = new Map<string, number>();
  let out = '';
  for (const part of lex(sql)) {
    if (part.code) {
      out += part.text.replace(/(?<![:\w]):([A-Za-z_]\w*)/g, (all, name: string) => {
        if (!(name in parameters)) return all;
        if (!index.has(name)) {
          const v = parameters[name];
          values.push(v !== null && typeof v === 'object' ? JSON.stringify(v) : v);
          index.set(name, values.length);
        }
        return `$${index.get(name)}`;
      });
    } else out += part.text;
  }
  return { text: out, values };
}

/** Splits SQL into code and quoted/commented parts ('…', "…", $tag$…$tag$, -- …, /* … *\/). */
function lex(sql: string): { code: boolean; text: string }[] {
  const parts: { code: boolean; text: string }[] = [];
  let i = 0;
  let start = 0;
  const push = (code: boolean, end: number) => {
    if (end > start) parts.push({ code, text: sql.slice(start, end) });
    start = end;
  };
  while (i < sql.length) {
    const c = sql[i];
    const dollar = c === '$' ? /^\$([A-Za-z_]\w*)?\$/.exec(sql.slice(i)) : null;
    if (c === "'" || c === '"' || dollar || sql.startsWith('--', i) || sql.startsWith('/*', i)) {
      push(true, i);
      let end: number;
      if (dollar) {
        const close = sql.indexOf(dollar[0], i + dollar[0].length);
        end = close < 0 ? sql.length : close + dollar[0].length;
      } else if (c === "'" || c === '"') {
        end = i + 1;
        while (end < sql.length && !(sql[end] === c && sql[end + 1] !== c)) end += sql[end] === c ? 2 : 1;
        end++;
      } else if (sql.startsWith('--', i)) {
        const nl = sql.indexOf('\n', i);
        end = nl < 0 ? sql.length : nl;
      } else {
        const close = sql.indexOf('*/', i + 2);
        end = close < 0 ? sql.length : close + 2;
      }
      i = end;
      push(false, Math.min(end, sql.length));
    } else i++;
  }
  push(true, sql.length);
  return parts;
}

/** Splits a script into statements on semicolons outside quotes, dollar quotes and comments. */
export function splitStatements(sql: string): string[] {
  const out: string[] = [];
  let current = '';
  for (const part of lex(sql)) {
    if (!part.code) {
      current += part.text;
      continue;
    }
    const pieces = part.text.split(';');
    current += pieces[0];
    for (const piece of pieces.slice(1)) {
      out.push(current);
      current = piece;
    }
  }
  out.push(current);
  return out.map((s) => s.trim()).filter((s) => s && !/^(--[^\n]*\s*|\/\*[\s\S]*?\*\/\s*)*$/.test(s));
}

const RAW_TYPES = { getTypeParser: () => (v: string) => v } as unknown as pg.CustomTypesConfig;

function fetchTypeOf(props: QueryProps): QueryProps['fetchType'] {
  if (props.fetch) return 'FETCH';
  if (props.fetchOne) return 'FETCH_ONE';
  if (props.store) return 'STORE';
  return props.fetchType;
}

async function runStatement(ctx: TaskContext, client: pg.Client, sql: string, props: QueryProps): Promise<Record<string, unknown> | undefined> {
  const { text, values } = bindParameters(sql, props.parameters);
  const result = await client.query({ text, values, rowMode: 'array', types: RAW_TYPES });
  if (!result.fields?.length) return undefined; // not a query that returns rows
  const toRow = (r: unknown[]) => Object.fromEntries(result.fields.map((f, i) => [f.name, convertValue(f.dataTypeID, r[i] as string | null, { timestampAsUtc: false })]));
  const rows = result.rows as unknown[][];
  switch (fetchTypeOf(props)) {
    case 'FETCH_ONE':
      return { row: rows.length ? toRow(rows[0]) : null, size: rows.length ? 1 : 0 };
    case 'FETCH':
      return { rows: rows.map(toRow), size: rows.length };
    case 'STORE': {
      const uri = ctx.services.storage.put(
        `executions/${ctx.execution.id}/${ctx.taskRun.id}/rows.jsonl`,
        rows.map((r) => JSON.stringify(toRow(r))).join('\n') + (rows.length ? '\n' : ''),
      );
      return { uri, size: rows.length };
    }
    default:
      ctx.logger.info('fetchType is NONE: no rows are returned');
      return {};
  }
}

async function inTransaction<T>(client: pg.Client, use: boolean, fn: () => Promise<T>): Promise<T> {
  if (!use) return fn();
  await client.query('BEGIN');
  try {
    const out = await fn();
    await client.query('COMMIT');
    return out;
  } catch (e) {
    await client.query('ROLLBACK').catch(() => {});
    throw e;
  }
}

const example = (type: string, sql: string, extra = '') => `id: pg_${type === 'Query' ? 'query' : 'queries'}
namespace: company.team
tasks:
  - id: write
    type: io.kestra.plugin.jdbc.postgresql.${type}
    url: jdbc:postgresql://127.0.0.1:5432/shop
    username: "{{ secret('PG_USERNAME') }}"
    password: "{{ secret('PG_PASSWORD') }}"
    sql: ${sql}
${extra}`;

export const postgresQuery: TaskDefinition = {
  kind: 'task',
  type: 'io.kestra.plugin.jdbc.postgresql.Query',
  title: 'PostgreSQL query',
  description: 'Runs one SQL statement against PostgreSQL (with afterSQL in the same transaction) and returns its rows as fetchType says.',
  category: 'PostgreSQL',
  icon: 'postgres',
  props: z.object(jdbcProps),
  outputs: {
    row: 'The first row (fetchType FETCH_ONE)',
    rows: 'Every row (fetchType FETCH)',
    uri: 'A JSON-lines file of every row in internal storage (fetchType STORE)',
    size: 'How many rows were fetched',
  },
  examples: [
    {
      title: 'Insert an order, then read it back',
      code: example('Query', '"INSERT INTO orders (customer, amount) VALUES (:customer, :amount) RETURNING id"', `    parameters:
      customer: "{{ inputs.customer ?? 'ada' }}"
      amount: 42.5
    fetchType: FETCH_ONE
  - id: log
    type: io.kestra.plugin.core.log.Log
    message: "order {{ outputs.write.row.id }}"`),
    },
  ],
  async run(ctx, props: QueryProps) {
    const client = await connect(props);
    try {
      return await inTransaction(client, !!props.afterSQL, async () => {
        const out = await runStatement(ctx, client, props.sql, props);
        if (props.afterSQL) await client.query(bindParameters(props.afterSQL, props.parameters));
        return out ?? {};
      });
    } finally {
      await client.end().catch(() => {});
    }
  },
};

export const postgresQueries: TaskDefinition = {
  kind: 'task',
  type: 'io.kestra.plugin.jdbc.postgresql.Queries',
  title: 'PostgreSQL queries',
  description: 'Runs several SQL statements (separated by semicolons) against PostgreSQL, in one transaction unless transaction is false; `outputs` holds one entry per statement that returns rows.',
  category: 'PostgreSQL',
  icon: 'postgres',
  props: z.object({ ...jdbcProps, transaction: p.bool('Run every statement in one transaction.').default(true) }),
  outputs: { outputs: 'One {row | rows | uri, size} per statement that returned rows' },
  examples: [
    {
      title: 'Create a table and seed it',
      code: example('Queries', `|
      CREATE TABLE IF NOT EXISTS orders (id serial PRIMARY KEY, customer text, amount numeric(10,2));
      INSERT INTO orders (customer, amount) VALUES ('ada', 10), ('grace', 20);
      SELECT count(*) AS n FROM orders`, '    fetchType: FETCH_ONE\n'),
    },
  ],
  async run(ctx, props: QueryProps) {
    const client = await connect(props);
    try {
      const outputs = await inTransaction(client, props.transaction !== false, async () => {
        const list: Record<string, unknown>[] = [];
        for (const statement of splitStatements(props.sql)) {
          const out = await runStatement(ctx, client, statement, props);
          if (out) list.push(out);
        }
        if (props.afterSQL) await client.query(bindParameters(props.afterSQL, props.parameters));
        return list;
      });
      return { outputs };
    } finally {
      await client.end().catch(() => {});
    }
  },
};
