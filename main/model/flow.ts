// A parsed flow: Kestra's top-level keys, with tasks and triggers kept as their raw property maps
// (each plugin's schema validates its own properties).

export interface TaskSpec {
  id: string;
  type: string;
  description?: string;
  disabled?: boolean;
  allowFailure?: boolean;
  timeout?: string;
  retry?: RetrySpec;
  logLevel?: string;
  [property: string]: unknown;
}

export interface TriggerSpec {
  id: string;
  type: string;
  description?: string;
  disabled?: boolean;
  [property: string]: unknown;
}

export interface RetrySpec {
  type: 'constant' | 'exponential' | 'random';
  interval?: string;
  maxInterval?: string;
  minInterval?: string;
  delayFactor?: number;
  maxAttempts?: number;
  /** Older name of maxAttempts. */
  maxAttempt?: number;
  maxDuration?: string;
  warningOnRetry?: boolean;
  behavior?: 'RETRY_FAILED_TASK' | 'CREATE_NEW_EXECUTION';
}

export type InputType =
  | 'STRING' | 'INT' | 'FLOAT' | 'BOOLEAN' | 'DATETIME' | 'DATE' | 'TIME' | 'DURATION' | 'JSON'
  | 'URI' | 'SELECT' | 'MULTISELECT' | 'ARRAY' | 'FILE' | 'SECRET' | 'YAML' | 'EMAIL' | 'BOOL';

export interface InputSpec {
  id: string;
  type: InputType;
  description?: string;
  displayName?: string;
  required?: boolean;
  defaults?: unknown;
  /** STRING: a regular expression the value must match. */
  validator?: string;
  min?: number;
  max?: number;
  minLength?: number;
  maxLength?: number;
  values?: string[];
  itemType?: InputType;
  allowCustomValue?: boolean;
  [property: string]: unknown;
}

export interface FlowOutputSpec { id: string; type: string; value: unknown; description?: string }

export interface Flow {
  id: string;
  namespace: string;
  revision?: number;
  description?: string;
  labels?: Record<string, string> | { key: string; value: string }[];
  inputs?: InputSpec[];
  variables?: Record<string, unknown>;
  tasks: TaskSpec[];
  errors?: TaskSpec[];
  finally?: TaskSpec[];
  afterExecution?: TaskSpec[];
  triggers?: TriggerSpec[];
  pluginDefaults?: { type: string; forced?: boolean; values: Record<string, unknown> }[];
  concurrency?: { limit: number; behavior?: 'QUEUE' | 'CANCEL' | 'FAIL' };
  outputs?: FlowOutputSpec[];
  retry?: RetrySpec;
  sla?: unknown[];
  disabled?: boolean;
}

/** A flow as the engine holds it: the parsed object plus where it came from. */
export interface LoadedFlow {
  flow: Flow;
  source: string;
  /** Workspace file it was read from, when any. */
  file?: string;
  revision: number;
}

export const flowKey = (namespace: string, id: string): string => `${namespace}/${id}`;
