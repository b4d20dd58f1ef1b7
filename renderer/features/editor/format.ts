// Format on save: a round trip through the `yaml` Document API, which keeps comments (unlike a
// formatter that goes through plain data). Invalid YAML is left as it is.
import { parseDocument } from 'yaml';

export function formatSource(src: string): string {
  const doc = parseDocument(src, { keepSourceTokens: false });
  if (doc.errors.length || doc.warnings.length) return src;
  const crlf = src.includes('\r\n');
  let out = doc.toString({ lineWidth: 0, indent: 2, indentSeq: true, flowCollectionPadding: false });
  if (crlf) out = out.replace(/\r?\n/g, '\r\n');
  return out;
}
