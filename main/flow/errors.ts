// The one error shape of flow parsing and validation, and how it is printed.

export type Severity = 'error' | 'warning';

export interface FlowError {
  /** Workspace file the flow came from, when known. */
  file?: string;
  /** 1-based line of the offending node. */
  line: number;
  /** 1-based column of the offending node. */
  column: number;
  /** Where the node ends (1-based, exclusive column), for editors that underline a range. */
  endLine?: number;
  endColumn?: number;
  /** Where in the flow, e.g. `tasks[2].message`; '' for the document itself. */
  path: string;
  /** What is wrong, in plain words (without the path). */
  message: string;
  severity: Severity;
}

/**
 * `file:line:col: path: message` — the path is left out when empty, the file when unknown
 * (`line:col: …`). Warnings say so.
 */
export function formatError(e: FlowError): string {
  const where = `${e.file ? `${e.file}:` : ''}${e.line}:${e.column}`;
  const what = e.path ? `${e.path}: ${e.message}` : e.message;
  return `${where}: ${e.severity === 'warning' ? 'warning: ' : ''}${what}`;
}

/** Sorts by position (stable) and drops exact repeats (same place, same message). */
export function tidyErrors(errors: FlowError[]): FlowError[] {
  const seen = new Set<string>();
  const out: FlowError[] = [];
  for (const e of errors) {
    const key = `${e.line}:${e.column}:${e.path}:${e.message}`;
    if (seen.has(key)) continue;
    seen.add(key);
    out.push(e);
  }
  return out
    .map((e, i) => ({ e, i }))
    .sort((a, b) => a.e.line - b.e.line || a.e.column - b.e.column || a.i - b.i)
    .map(({ e }) => e);
}

export const hasErrors = (errors: readonly FlowError[]): boolean => errors.some((e) => e.severity === 'error');
