// AWS SQS polling Trigger: every interval, receives up to maxRecords messages (or for at most
// maxDuration), keeps them invisible while the batch is collected and admitted, writes them to one
// batch file, admits one execution, and only then deletes them.
import { ReceiveMessageCommand, type Message } from '@aws-sdk/client-sqs';
import { z } from 'zod';
import { admitHeldBatch, pollEvery, pollingProps, type PollingProps } from '../common/polling';
import type { SerdeType } from '../common/serde';
import { p } from '../schema';
import type { TriggerDefinition } from '../types';
import {
  changeVisibility, checkQueue, connectionProps, createClient, deleteMessages, messageRecord, noteIgnored, serdeTypeProp, sqsError,
  visibilitySeconds, visibilityTimeoutProp, VisibilityKeeper, type ConnectionProps,
} from './connection';

export interface SqsPollingProps extends ConnectionProps, PollingProps {
  serdeType: SerdeType;
  autoDelete: boolean;
  visibilityTimeout: number | string;
}

/** Seconds one receive of a poll waits for messages (long polling: an empty answer means drained). */
const RECEIVE_WAIT_SECONDS = 1;

export const sqsTrigger: TriggerDefinition<SqsPollingProps> = {
  kind: 'trigger',
  mode: 'polling',
  type: 'io.kestra.plugin.aws.sqs.Trigger',
  title: 'AWS SQS (polling)',
  description:
    'Every interval, takes the messages waiting in an AWS SQS queue (up to maxRecords, for at most maxDuration) and starts one execution ' +
    'with all of them in a file. Messages are deleted only once that execution is committed.',
  category: 'AWS SQS',
  icon: 'aws-sqs',
  props: z.object({
    ...connectionProps,
    serdeType: serdeTypeProp,
    autoDelete: p.bool('Delete the messages once the batch execution is created.').default(true),
    visibilityTimeout: visibilityTimeoutProp.default(30),
    ...pollingProps,
  }),
  outputs: { uri: 'The batch file (JSON lines, one message body per line) in internal storage', count: 'How many messages it holds' },
  examples: [{
    title: 'A batch of SQS messages every minute',
    code: `id: sqs_batch
namespace: company.team

tasks:
  - id: count
    type: io.kestra.plugin.core.log.Log
    message: "{{ trigger.count }} message(s) in {{ trigger.uri }}"

triggers:
  - id: trigger
    type: io.kestra.plugin.aws.sqs.Trigger
    accessKeyId: "{{ secret('AWS_ACCESS_KEY_ID') }}"
    secretKeyId: "{{ secret('AWS_SECRET_KEY_ID') }}"
    region: eu-central-1
    queueUrl: https://sqs.eu-central-1.amazonaws.com/000000000000/test-queue
    maxRecords: 10`,
  }],

  async start(ctx, props) {
    noteIgnored(props, ctx.logger);
    const visibility = visibilitySeconds(props.visibilityTimeout);
    const client = createClient(props, RECEIVE_WAIT_SECONDS);
    try {
      await checkQueue(client, props.queueUrl, ctx.signal);
    } catch (e) {
      client.destroy();
      throw e;
    }
    const handle = pollEvery(ctx, props, () => {
      const keeper = new VisibilityKeeper(client, props.queueUrl, visibility, ctx.logger);
      return admitHeldBatch<Message>(ctx, props, {
        async receive(room, deadline) {
          const wait = Number.isFinite(deadline) ? Math.min(RECEIVE_WAIT_SECONDS, Math.max(0, Math.floor((deadline - Date.now()) / 1000))) : RECEIVE_WAIT_SECONDS;
          try {
            // Not aborted on stop: SQS would still take messages for a dropped request and hide them.
            const r = await client.send(
              new ReceiveMessageCommand({
                QueueUrl: props.queueUrl,
                MaxNumberOfMessages: Math.min(10, room),
                WaitTimeSeconds: wait,
                VisibilityTimeout: visibility,
                MessageSystemAttributeNames: ['All'],
              }),
            );
            return r.Messages ?? [];
          } catch (e) {
            throw sqsError(e, props.queueUrl);
          }
        },
        idOf: (m) => m.MessageId ?? m.ReceiptHandle!,
        hold: (got) => keeper.hold(got),
        release: () => keeper.stop(),
        handBack: (batch) => changeVisibility(client, props.queueUrl, batch, 0),
        record: (m) => messageRecord(m, props.serdeType),
        acknowledge: async (batch) => {
          if (props.autoDelete) await deleteMessages(client, props.queueUrl, batch, ctx.logger);
        },
      });
    });
    return {
      async stop() {
        await handle.stop();
        client.destroy();
      },
    };
  },
};
