// The one place flow validation asks about template syntax. The expression engine (main/expr)
// owns the grammar and is the default checker; a small built-in check (an unclosed {{ / {% / {#,
// an unclosed string or bracket, an empty {{ }}) can stand in for it — tests use it to pin
// positions and messages independently of the engine.
import { validateTemplate } from '../expr';

/** A syntax error inside one template; line and column are 1-based and relative to the template. */
export interface TemplateIssue {
  line: number;
  column: number;
  message: string;
  /** The reason alone, without any position prefix (main/expr's ExpressionError has it). */
  reason?: string;
}

export type TemplateValidator = (source: string) => TemplateIssue | undefined;

/** main/expr's syntax check: its ExpressionError has line, column, message and reason. */
export const engineTemplateCheck: TemplateValidator = (source) => validateTemplate(source);

let validator: TemplateValidator = engineTemplateCheck;

/** Replaces the checker (basicTemplateCheck, a test stub); no argument restores the engine's. */
export function setTemplateValidator(fn?: TemplateValidator): void {
  validator = fn ?? engineTemplateCheck;
}

/** Is there anything Pebble would parse in this string? */
export const hasTemplateSyntax = (text: string): boolean => /\{[{%#]/.test(text);

/** The first syntax error of a template, if any; plain text is never an error. */
export function checkTemplate(source: string): TemplateIssue | undefined {
  if (!hasTemplateSyntax(source)) return undefined;
  try {
    const issue = validator(source);
    return issue ? { ...issue, message: issue.reason ?? issue.message } : undefined;
  } catch (e) {
    return { line: 1, column: 1, message: e instanceof Error ? e.message : String(e) };
  }
}

const CLOSERS: Record<string, string> = { '{{': '}}', '{%': '%}', '{#': '#}' };
const PAIRS: Record<string, string> = { '(': ')', '[': ']', '{': '}' };

/** Delimiters, strings and brackets only: no grammar. */
export function basicTemplateCheck(source: string): TemplateIssue | undefined {
  const at = (offset: number, message: string): TemplateIssue => {
    const before = source.slice(0, offset);
    const line = before.split('\n').length;
    return { line, column: offset - (before.lastIndexOf('\n') + 1) + 1, message };
  };
  let i = 0;
  while (i < source.length) {
    const open = source.slice(i, i + 2);
    const close = CLOSERS[open];
    if (!close) {
      i++;
      continue;
    }
    const start = i;
    if (open === '{#') {
      const end = source.indexOf('#}', i + 2);
      if (end < 0) return at(start, 'comment {# is never closed: add #}');
      i = end + 2;
      continue;
    }
    const stack: { ch: string; at: number }[] = [];
    let quote: { ch: string; at: number } | undefined;
    let j = i + 2;
    for (; j < source.length; j++) {
      const c = source[j];
      if (quote) {
        if (c === '\\') j++;
        else if (c === quote.ch) quote = undefined;
        continue;
      }
      if (c === '"' || c === "'") quote = { ch: c, at: j };
      else if (!stack.length && source.startsWith(close, j)) break;
      else if (c in PAIRS) stack.push({ ch: c, at: j });
      else if (c === ')' || c === ']' || c === '}') {
        const top = stack.pop();
        if (!top && c === '}' && open === '{{') return at(j, 'expected "}}" to close "{{" but found a single "}"');
        if (!top) return at(j, `unexpected "${c}"`);
        if (PAIRS[top.ch] !== c) return at(top.at, `"${top.ch}" is never closed: add "${PAIRS[top.ch]}"`);
      }
    }
    if (j >= source.length) {
      if (quote) return at(quote.at, `string is never closed: add ${quote.ch}`);
      if (stack.length) {
        const top = stack[stack.length - 1];
        return at(top.at, `"${top.ch}" is never closed: add "${PAIRS[top.ch]}"`);
      }
      return at(start, `${open} is never closed: add ${close}`);
    }
    const inner = source.slice(i + 2, j).replace(/^-|-$/g, '').trim();
    if (!inner) return at(start, open === '{{' ? 'empty expression {{ }}' : 'empty tag {% %}');
    i = j + 2;
    if (open === '{%') {
      const tag = /^(raw|verbatim)\b/.exec(inner)?.[1];
      if (tag) {
        const end = new RegExp(`\\{%-?\\s*end${tag}\\s*-?%\\}`).exec(source.slice(i));
        if (!end) return at(start, `{% ${tag} %} is never closed: add {% end${tag} %}`);
        i += end.index + end[0].length;
      }
    }
  }
  return undefined;
}
