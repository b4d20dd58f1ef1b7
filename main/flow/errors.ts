// The one error shape of flow parsing and validation, and how it is printed.

export type Severity = 'error' | 'warning';

/**
 * Machine-readable kinds of finding, for the few callers that must tell them apart.
 * UNSUPPORTED_PLUGIN: a well-formed Kestra plugin type (io.kestra.…) that Peregrine does not run
 * locally — the flow is still valid Kestra YAML: it can be kept, edited, drawn and deployed.
 */
export type FlowErrorCode = 'UNSUPPORTED_PLUGIN';

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
  /** Set on findings a caller may need to recognise (see FlowErrorCode). */
  code?: FlowErrorCode;
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

/** A Kestra plugin type that Peregrine does not run locally ("not supported locally"). */
export const isUnsupportedPlugin = (e: FlowError): boolean => e.code === 'UNSUPPORTED_PLUGIN';

/**
 * The flow's only errors are Kestra plugins Peregrine does not run: valid Kestra YAML that cannot
 * run here (keep it as a file, show it as a problem, deploy it; never run it).
 */
export const onlyUnsupportedPlugins = (errors: readonly FlowError[]): boolean => {
  const hard = errors.filter((e) => e.severity === 'error');
  return hard.length > 0 && hard.every(isUnsupportedPlugin);
};
