// Every plugin family Peregrine ships, in one registry. Adding a family is one line in FAMILIES.
import { PluginRegistry } from './registry';
import type { PluginDefinition } from './types';
import { corePlugins } from './core';
import { enginePlugins } from './engine';
import { redisPlugins } from './redis';
import { amqpPlugins } from './amqp';
import { mqttPlugins } from './mqtt';
import { natsPlugins } from './nats';
import { kafkaPlugins } from './kafka';
import { postgresPlugins } from './postgres';
import { sqsPlugins } from './sqs';
import { pubsubPlugins } from './pubsub';
import { httpPlugins } from './http';
import { scriptPlugins } from './scripts';
import { transformPlugins } from './transform';

export const FAMILIES: readonly (readonly PluginDefinition[])[] = [
  corePlugins,
  enginePlugins,
  httpPlugins,
  scriptPlugins,
  transformPlugins,
  redisPlugins,
  amqpPlugins,
  mqttPlugins,
  natsPlugins,
  kafkaPlugins,
  postgresPlugins,
  sqsPlugins,
  pubsubPlugins,
];

export function createRegistry(): PluginRegistry {
  const registry = new PluginRegistry();
  for (const family of FAMILIES) registry.register(...family);
  return registry;
}
