// The PostgreSQL family: change data capture (Kestra's Debezium PostgreSQL triggers, realtime and
// polling, on logical replication with pgoutput) and the JDBC Query / Queries tasks.
import type { PluginDefinition } from '../types';
import { postgresQueries, postgresQuery } from './query';
import { postgresRealtimeTrigger } from './realtime-trigger';
import { postgresTrigger } from './trigger';

export const postgresPlugins: PluginDefinition[] = [postgresRealtimeTrigger, postgresTrigger, postgresQuery, postgresQueries];
