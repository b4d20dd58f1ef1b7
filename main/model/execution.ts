// Executions and task runs, in the JSON shape of Kestra's REST API.
import type { State } from './state';

export interface Label { key: string; value: string }

export interface TaskRunAttempt { state: State; logFile?: string }

export interface TaskRun {
  id: string;
  executionId: string;
  namespace: string;
  flowId: string;
  taskId: string;
  parentTaskRunId?: string;
  /** The ForEach / Switch value this run belongs to. */
  value?: string;
  iteration?: number;
  attempts: TaskRunAttempt[];
  outputs?: Record<string, unknown>;
  state: State;
}

export interface ExecutionTrigger {
  id: string;
  type: string;
  variables: Record<string, unknown>;
}

export interface Execution {
  id: string;
  namespace: string;
  flowId: string;
  flowRevision: number;
  taskRunList: TaskRun[];
  inputs: Record<string, unknown>;
  outputs?: Record<string, unknown>;
  labels: Label[];
  variables?: Record<string, unknown>;
  state: State;
  parentId?: string;
  originalId: string;
  trigger?: ExecutionTrigger;
  /** Why an execution failed before any task could run (bad payload, bad input), in plain words. */
  error?: string;
}

export type LogLevel = 'TRACE' | 'DEBUG' | 'INFO' | 'WARN' | 'ERROR';
export const LOG_LEVELS: LogLevel[] = ['TRACE', 'DEBUG', 'INFO', 'WARN', 'ERROR'];

export interface LogEntry {
  namespace: string;
  flowId: string;
  executionId?: string;
  taskId?: string;
  taskRunId?: string;
  attemptNumber?: number;
  triggerId?: string;
  timestamp: string;
  level: LogLevel;
  message: string;
}
