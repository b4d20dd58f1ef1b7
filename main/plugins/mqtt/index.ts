// The Mqtt family: realtime and polling triggers, and producer tasks.
import type { PluginDefinition } from '../types';
import { mqttPublish } from './publish';
import { mqttRealtimeTrigger } from './realtime-trigger';
import { mqttTrigger } from './trigger';

export const mqttPlugins: PluginDefinition[] = [mqttRealtimeTrigger, mqttTrigger, mqttPublish];
