// Every broker, by name.
import type { ServerDef } from '../server';
import type { BrokerName } from '../types';
import { kafka } from './kafka';
import { mosquitto } from './mosquitto';
import { nats } from './nats';
import { postgres } from './postgres';
import { pubsub } from './pubsub';
import { rabbitmq } from './rabbitmq';
import { redis } from './redis';
import { sqs } from './sqs';

export const SERVERS: { [N in BrokerName]: ServerDef<N> } = {
  redis, rabbitmq, postgres, mosquitto, nats, kafka, sqs, pubsub,
};
