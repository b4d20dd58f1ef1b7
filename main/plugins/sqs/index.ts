// The AWS SQS family: realtime and polling triggers, and the Publish producer.
import type { PluginDefinition } from '../types';
import { sqsPublish } from './publish';
import { sqsRealtimeTrigger } from './realtime-trigger';
import { sqsTrigger } from './trigger';

export const sqsPlugins: PluginDefinition[] = [sqsRealtimeTrigger, sqsTrigger, sqsPublish];
