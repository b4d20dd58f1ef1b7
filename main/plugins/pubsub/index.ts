// The Google Pub/Sub family: realtime and polling triggers, and the Publish producer.
import type { PluginDefinition } from '../types';
import { pubsubPublish } from './publish';
import { pubsubRealtimeTrigger } from './realtime-trigger';
import { pubsubTrigger } from './trigger';

export const pubsubPlugins: PluginDefinition[] = [pubsubRealtimeTrigger, pubsubTrigger, pubsubPublish];
