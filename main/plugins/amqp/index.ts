// The AMQP family (RabbitMQ, AMQP 0-9-1): realtime and polling triggers, Consume, and producer tasks.
import type { PluginDefinition } from '../types';
import { amqpRealtimeTrigger } from './realtime-trigger';
import { amqpConsume, amqpTrigger } from './trigger';
import { amqpCreateQueue, amqpDeclareExchange, amqpPublish, amqpQueueBind } from './tasks';

export const amqpPlugins: PluginDefinition[] = [
  amqpRealtimeTrigger,
  amqpTrigger,
  amqpConsume,
  amqpPublish,
  amqpDeclareExchange,
  amqpCreateQueue,
  amqpQueueBind,
];
