// Core plugins that need the engine itself: webhook, schedule and flow triggers, pause, subflow.
import type { PluginDefinition } from '../types';
import { flowTrigger } from './flow-trigger';
import { pauseTask } from './pause';
import { scheduleTrigger } from './schedule';
import { subflowTask } from './subflow';
import { webhookTrigger } from './webhook';

export const enginePlugins: PluginDefinition[] = [webhookTrigger, scheduleTrigger, flowTrigger, pauseTask, subflowTask];
