// The YAML editor: one Monaco editor bound to the editor store. The store's text is the truth:
// typing pushes the model's text into the store; a text from elsewhere (graph, form, undo) is
// applied to the model as a minimal edit so the cursor and scroll stay put. Markers are the
// engine's own errors (flows.validate), at the engine's line:col.
import type { FlowError } from '../../../../main/flow/errors';
import { useCursor } from '../../../app/StatusBar';
import { useTheme } from '../../../app/theme';
import { uniqueId, pathAtOffset } from '../edits';
import { formatSource } from '../format';
import { useEditor } from '../store';
import { usePlugins, templateFor, triggerTemplateFor } from '../../plugins/store';
import { monaco, setFlowSchema, FLOW_MODEL_PREFIX } from './monaco';

type Editor = ReturnType<typeof monaco.editor.create>;

let themesDefined = false;
function defineThemes(): void {
  if (themesDefined) return;
  themesDefined = true;
  monaco.editor.defineTheme('peregrine-light', {
    base: 'vs',
    inherit: true,
    rules: [
      { token: 'type', foreground: '4338ca' },
      { token: 'string', foreground: '0f766e' },
      { token: 'comment', foreground: '8a93a5', fontStyle: 'italic' },
      { token: 'number', foreground: 'b45309' },
      { token: 'keyword', foreground: '9333ea' },
    ],
    colors: {
      'editor.background': '#ffffff',
      'editor.lineHighlightBackground': '#f3f4f8',
      'editorLineNumber.foreground': '#a8b0c0',
      'editorLineNumber.activeForeground': '#4b5563',
      'editorGutter.background': '#ffffff',
      'editor.selectionBackground': '#c7d2fe',
      'editorIndentGuide.background1': '#eceef3',
      'editorSuggestWidget.selectedBackground': '#e0e3ff',
      'editorSuggestWidget.selectedForeground': '#1b2130',
      'list.activeSelectionBackground': '#e0e3ff',
      'list.activeSelectionForeground': '#1b2130',
      'list.focusOutline': '#4f46e5',
    },
  });
  monaco.editor.defineTheme('peregrine-dark', {
    base: 'vs-dark',
    inherit: true,
    rules: [
      { token: 'type', foreground: 'a5b4fc' },
      { token: 'string', foreground: '5eead4' },
      { token: 'comment', foreground: '6f7888', fontStyle: 'italic' },
      { token: 'number', foreground: 'fbbf24' },
      { token: 'keyword', foreground: 'd8b4fe' },
    ],
    colors: {
      'editor.background': '#14171d',
      'editor.lineHighlightBackground': '#1b1f27',
      'editorLineNumber.foreground': '#4b5263',
      'editorLineNumber.activeForeground': '#a0a8b8',
      'editorGutter.background': '#14171d',
      'editor.selectionBackground': '#3b3f7a',
      'editorIndentGuide.background1': '#22262f',
      'editorSuggestWidget.selectedBackground': '#2e3160',
      'list.activeSelectionBackground': '#2e3160',
      'list.focusOutline': '#8b8cff',
    },
  });
}

let snippetsRegistered = false;
function registerSnippets(): void {
  if (snippetsRegistered) return;
  snippetsRegistered = true;
  monaco.languages.registerCompletionItemProvider('yaml', {
    triggerCharacters: ['-'],
    provideCompletionItems(model, position) {
      const line = model.getLineContent(position.lineNumber);
      const before = line.slice(0, position.column - 1);
      const m = /^(\s*)(-\s+)?([\w.]*)$/.exec(before);
      if (!m) return { suggestions: [] };
      const source = model.getValue();
      const startCol = position.column - m[3].length;
      const range = { startLineNumber: position.lineNumber, endLineNumber: position.lineNumber, startColumn: startCol, endColumn: position.column };
      // Keys of the item start where the typed word starts (after "- "), or 2 further when we add the dash.
      const dash = m[2] ? '' : '- ';
      const keyCol = startCol - 1 + dash.length;
      const suggestions = usePlugins.getState().plugins.flatMap((p) => {
        const id = uniqueId(source, p.type.slice(p.type.lastIndexOf('.') + 1).replace(/([a-z])([A-Z])/g, '$1_$2').toLowerCase());
        const t = p.kind === 'trigger' ? triggerTemplateFor(p, id) : templateFor(p, id);
        const text = t.yaml ?? Object.entries(t.task ?? {}).map(([k, v]) => `${k}: ${typeof v === 'string' ? (v === '' ? '""' : v) : JSON.stringify(v)}`).join('\n');
        const lines = text.split('\n');
        const insertText = dash + lines.map((l, i) => (i === 0 ? l : ' '.repeat(keyCol) + l)).join('\n');
        return [{
          label: { label: `${p.title}`, description: p.kind === 'trigger' ? 'trigger' : p.category },
          kind: monaco.languages.CompletionItemKind.Snippet,
          detail: p.type,
          documentation: { value: `${p.description}\n\n\`\`\`yaml\n${text}\n\`\`\`` },
          insertText,
          insertTextRules: monaco.languages.CompletionItemInsertTextRule.KeepWhitespace,
          filterText: `${p.title} ${p.type}`,
          sortText: `~${p.title}`,
          range,
        }];
      });
      return { suggestions };
    },
  });
}

function toMarker(model: ReturnType<typeof monaco.editor.createModel>, e: FlowError) {
  const maxLine = model.getLineCount();
  const line = Math.min(Math.max(1, e.line), maxLine);
  let endLine = Math.min(e.endLine ?? line, maxLine);
  let endColumn = e.endColumn ?? e.column;
  if (endLine === line && endColumn <= e.column) {
    // A point: underline the word there, or the rest of the line.
    const word = model.getWordAtPosition({ lineNumber: line, column: e.column });
    endColumn = word ? word.endColumn : model.getLineMaxColumn(line);
    endLine = line;
    if (endColumn <= e.column) endColumn = e.column + 1;
  }
  return {
    startLineNumber: line,
    startColumn: e.column,
    endLineNumber: endLine,
    endColumn,
    message: `${e.path ? `${e.path}: ` : ''}${e.message}`,
    severity: e.severity === 'warning' ? monaco.MarkerSeverity.Warning : monaco.MarkerSeverity.Error,
    source: 'peregrine',
  };
}

/** Mounts the editor in `el`; returns its disposer. */
export function mountEditor(el: HTMLElement): () => void {
  defineThemes();
  registerSnippets();
  setFlowSchema(usePlugins.getState().flowSchema);
  const store = useEditor;
  const uri = monaco.Uri.parse(`${FLOW_MODEL_PREFIX}current.yaml`);
  const model = monaco.editor.getModel(uri) ?? monaco.editor.createModel(store.getState().source, 'yaml', uri);
  model.setValue(store.getState().source);
  model.updateOptions({ tabSize: 2, insertSpaces: true });
  const editor: Editor = monaco.editor.create(el, {
    model,
    theme: useTheme.getState().theme === 'dark' ? 'peregrine-dark' : 'peregrine-light',
    automaticLayout: true,
    minimap: { enabled: false },
    fontSize: 13,
    lineHeight: 20,
    fontFamily: 'ui-monospace, "JetBrains Mono", "SF Mono", Menlo, Consolas, monospace',
    scrollBeyondLastLine: false,
    renderLineHighlight: 'all',
    // Narrow panes (split view): wrap rather than scroll sideways.
    wordWrap: 'on',
    wrappingIndent: 'indent',
    occurrencesHighlight: 'off',
    quickSuggestions: { other: true, strings: true, comments: false },
    wordBasedSuggestions: 'off',
    fixedOverflowWidgets: true,
    tabSize: 2,
    padding: { top: 8, bottom: 8 },
    stickyScroll: { enabled: true },
    scrollbar: { verticalScrollbarSize: 10, horizontalScrollbarSize: 10 },
    ariaLabel: 'Flow YAML',
  });
  (window as unknown as { __peregrineEditor?: Editor }).__peregrineEditor = editor;

  let applying = false;
  let currentKey = store.getState().current;
  const disposers: (() => void)[] = [];

  // Typing → store (one history entry per burst of typing).
  // Typing on one line is one undo step; moving to another line starts the next.
  const sub1 = model.onDidChangeContent((e) => {
    if (applying) return;
    const line = e.changes[0]?.range.startLineNumber ?? 0;
    store.getState().setSource(model.getValue(), { group: `typing:${line}` });
  });

  // Store → model.
  const applyText = (text: string, replaceAll: boolean) => {
    const old = model.getValue();
    if (old === text) return;
    applying = true;
    try {
      if (replaceAll) {
        model.setValue(text);
        return;
      }
      let start = 0;
      const max = Math.min(old.length, text.length);
      while (start < max && old.charCodeAt(start) === text.charCodeAt(start)) start++;
      let endOld = old.length;
      let endNew = text.length;
      while (endOld > start && endNew > start && old.charCodeAt(endOld - 1) === text.charCodeAt(endNew - 1)) {
        endOld--;
        endNew--;
      }
      const from = model.getPositionAt(start);
      const to = model.getPositionAt(endOld);
      editor.executeEdits('peregrine', [{ range: new monaco.Range(from.lineNumber, from.column, to.lineNumber, to.column), text: text.slice(start, endNew), forceMoveMarkers: true }]);
    } finally {
      applying = false;
    }
  };

  let decorations = editor.createDecorationsCollection([]);
  const setMarkers = () => {
    const s = store.getState();
    monaco.editor.setModelMarkers(model, 'peregrine', [...s.saveErrors, ...s.errors].map((e) => toMarker(model, e)));
  };

  disposers.push(
    store.subscribe((s, prev) => {
      if (s.current !== currentKey) {
        // Another flow: its text from the top (not where the previous one was scrolled to).
        currentKey = s.current;
        applyText(s.source, true);
        decorations.clear();
        editor.setPosition({ lineNumber: 1, column: 1 });
        editor.setScrollPosition({ scrollTop: 0, scrollLeft: 0 });
      } else if (s.source !== prev.source) applyText(s.source, false);
      if (s.errors !== prev.errors || s.saveErrors !== prev.saveErrors || s.source !== prev.source) setMarkers();
      if (s.reveal && s.reveal !== prev.reveal) {
        const { line, column, endLine } = s.reveal;
        const last = Math.min(endLine ?? line, model.getLineCount());
        editor.revealLinesInCenterIfOutsideViewport(line, last);
        decorations.clear();
        decorations = editor.createDecorationsCollection([{ range: new monaco.Range(line, 1, last, 1), options: { isWholeLine: true, className: 'line-reveal', linesDecorationsClassName: 'line-reveal-gutter' } }]);
        if (!editor.hasTextFocus()) editor.setPosition({ lineNumber: line, column });
      }
    }),
  );
  setMarkers();

  // Cursor → status bar, and the task under it → selection (graph, properties).
  let selTimer: ReturnType<typeof setTimeout> | undefined;
  const sub2 = editor.onDidChangeCursorPosition((e) => {
    useCursor.setState({ line: e.position.lineNumber, column: e.position.column });
    if (!editor.hasTextFocus()) return;
    clearTimeout(selTimer);
    selTimer = setTimeout(() => {
      const path = pathAtOffset(model.getValue(), model.getOffsetAt(e.position));
      if (path !== store.getState().selected) store.getState().select(path, { reveal: false });
    }, 150);
  });

  disposers.push(useTheme.subscribe((t) => monaco.editor.setTheme(t.theme === 'dark' ? 'peregrine-dark' : 'peregrine-light')));
  disposers.push(usePlugins.subscribe((p, prev) => p.flowSchema !== prev.flowSchema && setFlowSchema(p.flowSchema)));

  editor.addAction({
    id: 'peregrine.format',
    label: 'Format YAML (keeps comments)',
    keybindings: [monaco.KeyMod.Shift | monaco.KeyMod.Alt | monaco.KeyCode.KeyF],
    run: () => store.getState().setSource(formatSource(model.getValue())),
  });

  return () => {
    clearTimeout(selTimer);
    sub1.dispose();
    sub2.dispose();
    disposers.forEach((d) => d());
    editor.dispose();
  };
}

/** Focuses the editor and puts the cursor at a place (problems panel). */
export function focusAt(line: number, column: number): void {
  const editor = (window as unknown as { __peregrineEditor?: Editor }).__peregrineEditor;
  if (!editor) return;
  editor.focus();
  editor.setPosition({ lineNumber: line, column });
  editor.revealLineInCenterIfOutsideViewport(line);
}
