// The README's run command on a fresh machine: `peregrine server` on an empty workspace starts the
// embedded MQTT broker and the getting-started flows, and real-time executions appear with no
// external service at all.
import { afterAll, expect, it } from 'vitest';
import { eventually, startServerProcess, type ServerProcess } from './../helpers/server-process';

let server: ServerProcess | undefined;
afterAll(async () => server?.kill());

it('an empty workspace shows a real-time trigger firing from the embedded broker', async () => {
  server = await startServerProcess({ demo: true });
  await eventually(() => /embedded MQTT broker on mqtt:\/\/127\.0\.0\.1:\d+/.test(server!.output()), 5000, 'the broker line');
  expect(server.output()).toContain('added the getting-started flows');
  const alerts = await eventually(async () => {
    const { body } = await server!.api('GET', '/api/v1/executions/search?namespace=getting.started&flowId=sensor-alerts&state=SUCCESS');
    return body.total >= 2 ? body.results : undefined;
  }, 20_000, 'two sensor-alerts executions started by MQTT messages');
  const e = alerts[0];
  expect(e.trigger).toMatchObject({ id: 'readings', type: 'io.kestra.plugin.mqtt.RealtimeTrigger' });
  expect(e.trigger.variables.topic).toMatch(/^sensors\/(lab|office|server-room)\/temperature$/);
  expect(typeof Number(e.trigger.variables.payload.celsius)).toBe('number');
  const { body: logs } = await server.api('GET', `/api/v1/logs/${e.id}`);
  expect(logs[0].message).toMatch(/°C/);
  const { body: health } = await server.api('GET', '/api/v1/executions/search?namespace=getting.started&flowId=sensor-simulator&state=FAILED');
  expect(health.total).toBe(0);
});
