// Shared variables for the expression tests, shaped like Kestra's execution context. Many values
// come from Kestra's documentation examples (expressions reference, null-values guide).
import type { Vars } from '../../../main/expr/index';

export function vars(): Vars {
  return {
    flow: { id: 'myflow', namespace: 'company.team', revision: 3 },
    execution: { id: '4wjtkzwVGBM9yKnjm3yv8r', startDate: '2024-07-09T06:17:01.171193Z', state: 'RUNNING', originalId: '4wjtkzwVGBM9yKnjm3yv8r' },
    task: { id: 'print', type: 'io.kestra.plugin.core.log.Log' },
    taskrun: { value: 'value 1', iteration: 0 },
    labels: { env: 'dev', team: 'data' },
    inputs: {
      name: 'John Doe',
      optional_input: null,
      mainString: 'hello world',
      subString: 'world',
      // the JSON payload of Kestra's "Manipulating JSON payloads" example
      payload: {
        name: 'John Doe',
        score: { English: 72, Maths: 88, French: 95, Spanish: 85, Science: 91 },
        address: { city: 'Paris', country: 'France' },
        graduation_years: [2020, 2021, 2022, 2023],
      },
    },
    outputs: {
      task1: { value: 1, text: 'awesome1' },
      task2: { value: 2, text: 'awesome2' },
      first: { value: 'First output value' },
      'second-task': { value: 'Second output value' },
    },
    trigger: {
      value: '{"id": 7, "amount": 120.5, "tags": ["a", "b"]}',
      data: {
        id: 7,
        amount: 120.5,
        status: 'PAID',
        items: [
          { sku: 'A', qty: 2, price: 10 },
          { sku: 'B', qty: 1, price: 5.5 },
        ],
      },
      headers: [{ key: 'type', value: 'order' }],
    },
    vars: {
      my_variable: 'my_value',
      nested: '{{ inputs.name }}',
      chain: '{{ vars.nested }}',
      trigger_or_yesterday: "{{ trigger.date ?? (execution.startDate | dateAdd(-1, 'DAYS')) }}",
    },
    user: { name: 'Mitchell', email: '', phoneNumber: null, age: 42 },
    users: [],
    foo: 'foo',
    category: 'sports',
    news: 'N',
    sports: 'S',
  };
}
