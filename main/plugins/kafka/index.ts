// The Kafka family: realtime and polling triggers, and producer tasks.
import type { PluginDefinition } from '../types';
import { kafkaProduce } from './produce';
import { kafkaRealtimeTrigger } from './realtime-trigger';
import { kafkaTrigger } from './trigger';

export const kafkaPlugins: PluginDefinition[] = [kafkaRealtimeTrigger, kafkaTrigger, kafkaProduce];
