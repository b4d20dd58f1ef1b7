// A text field that shows its `{{ expressions }}` highlighted: a transparent textarea over a mirror
// with the same text, marked up. Grows with its content.
import { forwardRef, useImperativeHandle, useRef } from 'react';
import { expressionParts } from './schema';

export interface ExpressionInputHandle {
  /** Inserts text at the caret (or replaces the selection). */
  insert(text: string): void;
  focus(): void;
}

interface Props {
  value: string;
  onChange(value: string): void;
  onBlur?(): void;
  placeholder?: string;
  multiline?: boolean;
  id?: string;
  invalid?: boolean;
  ariaLabel?: string;
}

export const ExpressionInput = forwardRef<ExpressionInputHandle, Props>(function ExpressionInput({ value, onChange, onBlur, placeholder, multiline, id, invalid, ariaLabel }, ref) {
  const area = useRef<HTMLTextAreaElement>(null);
  const mirror = useRef<HTMLDivElement>(null);
  const sel = useRef<{ start: number; end: number }>({ start: value.length, end: value.length });
  const remember = () => {
    if (area.current) sel.current = { start: area.current.selectionStart, end: area.current.selectionEnd };
  };
  useImperativeHandle(ref, () => ({
    insert(text: string) {
      const { start, end } = sel.current;
      const s = Math.min(start, value.length);
      const e = Math.min(end, value.length);
      onChange(value.slice(0, s) + text + value.slice(e));
      const caret = s + text.length;
      sel.current = { start: caret, end: caret };
      requestAnimationFrame(() => {
        area.current?.focus();
        area.current?.setSelectionRange(caret, caret);
      });
    },
    focus() {
      area.current?.focus();
    },
  }));
  return (
    <div className={`expr-input${multiline ? ' multiline' : ''}${invalid ? ' invalid' : ''}`}>
      <div className="expr-mirror" ref={mirror} aria-hidden>
        {expressionParts(value).map((p, i) => (p.expr ? <mark key={i}>{p.text}</mark> : <span key={i}>{p.text}</span>))}
        {value === '' && placeholder ? <span className="expr-placeholder">{placeholder}</span> : null}
        {'\u200b'}
      </div>
      <textarea
        ref={area}
        id={id}
        value={value}
        rows={1}
        spellCheck={false}
        aria-label={ariaLabel}
        onChange={(e) => {
          onChange(e.target.value);
          remember();
        }}
        onSelect={remember}
        onKeyUp={remember}
        onClick={remember}
        onBlur={() => {
          remember();
          onBlur?.();
        }}
        onKeyDown={(e) => {
          if (e.key === 'Enter' && !multiline && !e.shiftKey) {
            e.preventDefault();
            (e.target as HTMLTextAreaElement).blur();
          }
        }}
        onScroll={(e) => {
          if (mirror.current) mirror.current.scrollTop = (e.target as HTMLTextAreaElement).scrollTop;
        }}
      />
    </div>
  );
});
