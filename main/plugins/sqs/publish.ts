// AWS SQS Publish: sends one message, a list of messages, or every line of a kestra:// JSON-lines
// file (10 per SendMessageBatch request).
import { SendMessageBatchCommand, type SendMessageBatchRequestEntry } from '@aws-sdk/client-sqs';
import { z } from 'zod';
import { messagesFrom, parsedBy } from '../common/messages-from';
import { p } from '../schema';
import type { TaskDefinition } from '../types';
import { connectionProps, createClient, noteIgnored, sqsError, type ConnectionProps } from './connection';

const message = z
  .object({
    data: z.any().describe('The message body (a string; anything else is sent as JSON).'),
    groupId: p.string('The message group id (FIFO queues).').optional(),
    deduplicationId: p.string('The message deduplication id (FIFO queues).').optional(),
    delaySeconds: p.int('Delay before the message can be received, in seconds.').optional(),
  })
  .strict();

type SqsMessage = z.infer<typeof message>;

export interface SqsPublishProps extends ConnectionProps {
  from: string | SqsMessage | SqsMessage[];
}

export const sqsPublish: TaskDefinition<SqsPublishProps> = {
  kind: 'task',
  type: 'io.kestra.plugin.aws.sqs.Publish',
  title: 'AWS SQS Publish',
  description: 'Sends messages to an AWS SQS queue: one message, a list of messages, or a kestra:// file of messages (one JSON object per line).',
  category: 'AWS SQS',
  icon: 'aws-sqs',
  props: z.object({
    ...connectionProps,
    from: z
      .union([z.string(), z.array(message), message])
      .describe('A message {data, groupId, deduplicationId, delaySeconds}, a list of them, or a kestra:// URI of a file with one message per line.'),
  }),
  outputs: { messagesCount: 'How many messages were sent' },
  examples: [{
    title: 'Publish messages to an SQS queue',
    code: `id: sqs_publish
namespace: company.team

tasks:
  - id: publish
    type: io.kestra.plugin.aws.sqs.Publish
    accessKeyId: "{{ secret('AWS_ACCESS_KEY_ID') }}"
    secretKeyId: "{{ secret('AWS_SECRET_KEY_ID') }}"
    region: eu-central-1
    queueUrl: https://sqs.eu-central-1.amazonaws.com/000000000000/orders
    from:
      - data: '{"order_id": 1, "total": 42.5}'
      - data: Hello Kestra
        delaySeconds: 5`,
  }],

  async run(ctx, props) {
    noteIgnored(props, ctx.logger);
    const messages = messagesFrom(props.from, ctx.services.storage, { what: 'a message {data, groupId, deduplicationId, delaySeconds}', text: 'refuse', message: parsedBy(message) });
    const client = createClient(props);
    let sent = 0;
    try {
      for (let i = 0; i < messages.length; i += 10) {
        const entries: SendMessageBatchRequestEntry[] = messages.slice(i, i + 10).map((m, j) => toEntry(m, String(i + j)));
        const r = await client.send(new SendMessageBatchCommand({ QueueUrl: props.queueUrl, Entries: entries }));
        if (r.Failed?.length) {
          const f = r.Failed[0];
          throw new Error(`SQS refused ${r.Failed.length} message(s) of ${props.queueUrl}: ${f.Code}${f.Message ? ` — ${f.Message}` : ''}`);
        }
        sent += r.Successful?.length ?? 0;
      }
    } catch (e) {
      throw sqsError(e, props.queueUrl);
    } finally {
      client.destroy();
    }
    ctx.logger.info(`Sent ${sent} message(s) to ${props.queueUrl}`);
    return { messagesCount: sent };
  },
};

function toEntry(m: SqsMessage, id: string): SendMessageBatchRequestEntry {
  const body = typeof m.data === 'string' ? m.data : JSON.stringify(m.data ?? null);
  return {
    Id: id,
    MessageBody: body,
    ...(m.groupId ? { MessageGroupId: m.groupId } : {}),
    ...(m.deduplicationId ? { MessageDeduplicationId: m.deduplicationId } : {}),
    ...(typeof m.delaySeconds === 'number' ? { DelaySeconds: m.delaySeconds } : {}),
  };
}
