// What each broker module under servers/ provides.
import type { Launch } from './process';
import type { BrokerName, ConnectionMap } from './types';

/** Login used by the brokers that have one (PostgreSQL, RabbitMQ). */
export const LOGIN = { user: 'peregrine', password: 'peregrine', database: 'peregrine' } as const;

export interface ServerContext {
  name: BrokerName;
  host: string;
  /** Ports by role; the first role of `ServerDef.portRoles` is the main one. */
  ports: Record<string, number>;
  port: number;
  /** Temporary folder of this broker: data, configuration, log. */
  dir: string;
  logFile: string;
  /** True when the server process will run as root (we are root and no `runAs` user applies). */
  asRoot: boolean;
  /** The system user the processes run as (set when we are root and `ServerDef.runAs` exists). */
  runAs?: string;
}

export interface ServerInfo<N extends BrokerName> {
  url: string;
  env: Record<string, string>;
  connection: ConnectionMap[N];
  user?: string;
  password?: string;
  database?: string;
}

export interface ServerDef<N extends BrokerName> {
  name: N;
  /** Roles of the ports to allocate; the first is the client port. */
  portRoles: readonly [string, ...string[]];
  /** What is missing to run it (binary, jar, user), or undefined when it can run. */
  missing(): string | undefined;
  /** System user the server runs as when we are root (folder chowned to it). */
  runAs?: string;
  /** Lay out a fresh data folder: configuration files, initdb, storage format. */
  prepare?(ctx: ServerContext): Promise<void>;
  /** Processes to start, in order (stopped in reverse order). */
  launch(ctx: ServerContext): Launch[];
  /** One readiness check with the broker's real client; throws when not ready yet. */
  probe(ctx: ServerContext): Promise<void>;
  /** Once, after the first readiness on a fresh folder (e.g. create the database). */
  initialize?(ctx: ServerContext): Promise<void>;
  info(ctx: ServerContext): ServerInfo<N>;
}
