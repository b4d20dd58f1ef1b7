// The Redis family: list triggers (realtime and polling) and producer tasks.
import type { PluginDefinition } from '../types';
import { redisListRealtimeTrigger } from './list-realtime-trigger';
import { redisListTrigger } from './list-trigger';
import { redisGet, redisListPush, redisSet } from './tasks';

export const redisPlugins: PluginDefinition[] = [redisListRealtimeTrigger, redisListTrigger, redisListPush, redisSet, redisGet];
