// Redis connections for the Redis plugins: fail fast (the trigger supervisor owns reconnection
// and backoff), and report a dropped connection as a consumer failure.
import { Redis } from 'ioredis';

export function connect(url: string, onLost?: (e: Error) => void): Redis {
  const client = new Redis(url, {
    lazyConnect: true,
    maxRetriesPerRequest: 1,
    enableOfflineQueue: false,
    retryStrategy: () => null,
    connectTimeout: 5000,
    // A connection that stops answering (a dead link, a black-holed network) is an error, not a hang.
    commandTimeout: 5000,
  });
  let lastError: Error | undefined;
  client.on('error', (e: Error) => (lastError = e));
  if (onLost) client.on('end', () => onLost(lastError ?? new Error('the connection to Redis was closed')));
  return client;
}
