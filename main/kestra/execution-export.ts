// An execution as one JSON document for sharing a failing case: the execution in the shape of
// Kestra's REST API (GET /api/v1/executions/{id}: state and histories, taskRunList with attempts
// and outputs, trigger variables, inputs, labels), its logs as Kestra's LogEntry objects
// (GET /api/v1/logs/{executionId}), and the flow revision it ran — with every value of a local
// secret replaced by ******.
import type { Execution, LogEntry } from '../model/execution';
import type { Store } from '../store';
import { environmentSecrets, maskSecrets, type LocalSecret } from './source';

export interface ExecutionExport {
  /** Says what this file is, for whoever opens it. */
  kind: 'peregrine.execution';
  version: 1;
  exportedAt: string;
  execution: Execution;
  logs: LogEntry[];
  flow?: { namespace: string; id: string; revision: number; source: string };
}

/** Every secret of the store with its value (for masking and for the deploy guard). */
export function storeSecrets(store: Store): LocalSecret[] {
  const out: LocalSecret[] = [];
  for (const s of store.secrets.list()) {
    try {
      const value = store.secrets.get(s.namespace, s.name);
      if (value !== undefined) out.push({ namespace: s.namespace, name: s.name, value });
    } catch {
      // a secret this key cannot decrypt is not one we could leak either
    }
  }
  return out;
}

/** The export of one execution, or undefined when the store has no such execution. */
export function exportExecution(store: Store, id: string, extraSecrets: readonly LocalSecret[] = environmentSecrets()): ExecutionExport | undefined {
  const execution = store.getExecution(id);
  if (!execution) return undefined;
  const logs = store.logs({ executionId: id }).map(({ id: _id, ...l }) => l as LogEntry);
  const rev = store.flowRevision(execution.namespace, execution.flowId, execution.flowRevision);
  const doc: ExecutionExport = {
    kind: 'peregrine.execution',
    version: 1,
    exportedAt: new Date().toISOString(),
    execution,
    logs,
    ...(rev ? { flow: { namespace: rev.namespace, id: rev.flowId, revision: rev.revision, source: rev.source } } : {}),
  };
  return maskSecrets(doc, [...storeSecrets(store), ...extraSecrets]);
}
