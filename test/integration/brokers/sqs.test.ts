import {
  CreateQueueCommand, DeleteMessageCommand, GetQueueUrlCommand, ReceiveMessageCommand, SendMessageCommand, SQSClient,
} from '@aws-sdk/client-sqs';
import { expect, it } from 'vitest';
import { describeBroker } from '../../brokers';
import { timedRestart } from './helpers';

describeBroker('sqs', (broker) => {
  const client = () => new SQSClient(broker().connection);

  async function receiveOne(sqs: SQSClient, QueueUrl: string): Promise<string | undefined> {
    const { Messages } = await sqs.send(new ReceiveMessageCommand({ QueueUrl, WaitTimeSeconds: 5, MaxNumberOfMessages: 1 }));
    const m = Messages?.[0];
    if (m) await sqs.send(new DeleteMessageCommand({ QueueUrl, ReceiptHandle: m.ReceiptHandle }));
    return m?.Body;
  }

  it('sends and receives a message', async () => {
    const sqs = client();
    const { QueueUrl } = await sqs.send(new CreateQueueCommand({ QueueName: 'orders' }));
    expect(QueueUrl).toContain(`127.0.0.1:${broker().port}`);
    await sqs.send(new SendMessageCommand({ QueueUrl, MessageBody: 'hello' }));
    expect(await receiveOne(sqs, QueueUrl!)).toBe('hello');
    sqs.destroy();
  });

  it('keeps queues and messages across restart() (ElasticMQ storage in the data folder)', async () => {
    const sqs = client();
    const { QueueUrl } = await sqs.send(new GetQueueUrlCommand({ QueueName: 'orders' }));
    await sqs.send(new SendMessageCommand({ QueueUrl, MessageBody: 'kept' }));
    sqs.destroy();
    await timedRestart(broker());
    const again = client();
    const { QueueUrl: url2 } = await again.send(new GetQueueUrlCommand({ QueueName: 'orders' }));
    expect(await receiveOne(again, url2!)).toBe('kept');
    again.destroy();
  });
});
