// YAML text → Document (with every node's position) + the flow object, and syntax errors mapped
// to their line:column in words a person understands.
import { LineCounter, parseDocument, isMap, visit, type Alias, type Document, type YAMLError } from 'yaml';
import type { Flow } from '../model/flow';
import type { FlowError, Severity } from './errors';
import { formatPath, Locator } from './positions';

export interface ParsedFlow {
  /** The flow as written (not validated), when the YAML parsed into a mapping. */
  flow?: Flow;
  doc: Document;
  /** YAML syntax errors and warnings. */
  errors: FlowError[];
  lineCounter: LineCounter;
  locator: Locator;
  source: string;
  file?: string;
}

export function parseFlow(source: string, file?: string): ParsedFlow {
  const lineCounter = new LineCounter();
  const doc = parseDocument(source, {
    lineCounter,
    keepSourceTokens: true,
    prettyErrors: false,
    uniqueKeys: true,
    // Kestra reads flows with Jackson, which knows no `<<` merge keys: neither do we.
    merge: false,
  });
  const locator = new Locator(doc, lineCounter, source);
  const errors: FlowError[] = [];
  const seen = new Set<number>();
  const add = (e: YAMLError, severity: Severity) => {
    const offset = e.code === 'TAB_AS_INDENT' ? e.pos[0] : firstVisible(source, errorOffset(e, source));
    if (seen.has(offset)) return; // yaml often reports one mistake twice at the same place
    seen.add(offset);
    const pos = locator.position(offset, Math.max(offset, e.pos[1]));
    errors.push({ file, ...pos, path: formatPath(e.code === 'DUPLICATE_KEY' ? locator.pathAt(offset) : locator.pathBefore(offset)), message: explainYamlError(e, source), severity });
  };
  for (const e of doc.errors) add(e, 'error');
  for (const w of doc.warnings) add(w, 'warning');

  let flow: Flow | undefined;
  if (doc.errors.length === 0 && isMap(doc.contents)) {
    try {
      flow = doc.toJS({ maxAliasCount: 1000 }) as Flow;
    } catch (e) {
      // An alias without its anchor, or too many aliases (a "billion laughs" document).
      const alias = firstBadAlias(doc);
      const offset = alias?.range?.[0] ?? 0;
      const message = alias
        ? `unknown alias *${alias.source}: define the anchor &${alias.source} before using it`
        : `invalid YAML: ${lower((e as Error).message)}`;
      errors.push({ file, ...locator.position(offset, alias?.range?.[1] ?? offset), path: formatPath(locator.pathBefore(offset)), message, severity: 'error' });
    }
  }
  return { flow, doc, errors, lineCounter, locator, source, file };
}

function firstBadAlias(doc: Document): Alias | undefined {
  let found: Alias | undefined;
  visit(doc, {
    Alias(_, node) {
      if (!node.resolve(doc)) {
        found = node;
        return visit.BREAK;
      }
      return undefined;
    },
  });
  return found;
}

/** A key that runs into a deeper-indented next line: the mistake is on that next line. */
function errorOffset(e: YAMLError, source: string): number {
  if (e.code === 'BLOCK_AS_IMPLICIT_KEY' || e.code === 'MULTILINE_IMPLICIT_KEY') {
    const nl = source.indexOf('\n', e.pos[0]);
    if (nl >= 0) return nl + 1;
  }
  const quote = /^Missing closing (["'])quote/.exec(e.message)?.[1];
  if (e.code === 'MISSING_CHAR' && quote) {
    // yaml reports the end of the text: the opening quote is where the mistake shows.
    for (let i = Math.min(e.pos[0], source.length) - 1; i >= 0; i--) {
      if (source[i] === quote && (i === 0 || /[\s:[{,]/.test(source[i - 1]))) return i;
    }
  }
  return e.pos[0];
}

/** yaml points some errors at the start of the line: move to its first visible character. */
function firstVisible(source: string, offset: number): number {
  let p = offset;
  while (p < source.length && (source[p] === ' ' || source[p] === '\t')) p++;
  return p < source.length && source[p] !== '\n' && source[p] !== '\r' ? p : offset;
}

function explainYamlError(e: YAMLError, source: string): string {
  const raw = e.message.replace(/\s+at line \d+, column \d+[\s\S]*$/, '').trim();
  switch (e.code) {
    case 'MISSING_CHAR':
      if (/^Missing closing (["'])quote/.test(raw)) return `this string is never closed: add the closing ${raw[16]}`;
      if (/Sequence item without - indicator/.test(raw)) {
        return 'bad indentation: this line does not line up with the keys above it (check its spaces)';
      }
      return `invalid YAML: ${lower(raw)}`;
    case 'BAD_INDENT':
      return `bad indentation: ${lower(raw)}`;
    case 'BLOCK_AS_IMPLICIT_KEY':
    case 'MULTILINE_IMPLICIT_KEY':
      return 'bad indentation: this line is indented deeper than the line above it (align it with its siblings)';
    case 'TAB_AS_INDENT':
      return 'tabs are not allowed for indentation in YAML: use spaces';
    case 'DUPLICATE_KEY': {
      const key = /^[^\s:]+/.exec(source.slice(e.pos[0], e.pos[1] + 80))?.[0];
      return key ? `duplicate key "${key}": each key may appear once in a mapping` : 'duplicate key: each key may appear once in a mapping';
    }
    case 'MULTIPLE_DOCS':
      return 'a flow file holds one YAML document: remove the extra "---"';
    default:
      return `invalid YAML: ${lower(raw)}`;
  }
}

const lower = (s: string): string => (s ? s[0].toLowerCase() + s.slice(1) : s);
