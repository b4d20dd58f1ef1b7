// The Nats family: realtime and polling triggers, and producer tasks.
import type { PluginDefinition } from '../types';
import { natsRealtimeTrigger } from './realtime-trigger';
import { natsConsume, natsProduce, natsRequest } from './tasks';
import { natsTrigger } from './trigger';

export const natsPlugins: PluginDefinition[] = [natsRealtimeTrigger, natsTrigger, natsProduce, natsRequest, natsConsume];
