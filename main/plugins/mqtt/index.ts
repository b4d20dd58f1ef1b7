// The Mqtt family: realtime and polling triggers, and producer tasks.
import type { PluginDefinition } from '../types';

export const mqttPlugins: PluginDefinition[] = [];
