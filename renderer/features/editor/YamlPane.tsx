// The YAML editor pane. Monaco is big: it loads on first use, in its own chunk.
import { useEffect, useRef, useState } from 'react';
import { Spinner } from '../../ui/controls';

export function YamlPane() {
  const host = useRef<HTMLDivElement>(null);
  const [state, setState] = useState<'loading' | 'ready' | 'error'>('loading');
  const [error, setError] = useState<string>();
  useEffect(() => {
    let dispose: (() => void) | undefined;
    let gone = false;
    import('./monaco/editor-host')
      .then((m) => {
        if (gone || !host.current) return;
        dispose = m.mountEditor(host.current);
        setState('ready');
      })
      .catch((e: Error) => {
        setError(e.message);
        setState('error');
      });
    return () => {
      gone = true;
      dispose?.();
    };
  }, []);
  return (
    // `nokey`: React Flow's document-wide keys (Space pans) must not see typing in Monaco, whose
    // input is an EditContext <div> rather than a <textarea> since 0.5x.
    <div className="yaml-pane nokey" data-testid="yaml" data-editor-state={state}>
      <div className="yaml-host" ref={host} />
      {state === 'loading' && (
        <div className="pane-overlay">
          <Spinner /> Loading the editor…
        </div>
      )}
      {state === 'error' && <div className="pane-overlay field-error">The editor failed to load: {error}</div>}
    </div>
  );
}
