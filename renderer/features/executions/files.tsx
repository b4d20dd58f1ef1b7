// Files of internal storage (kestra:///…) in outputs and trigger variables: previewed (text, JSON,
// images; the first 256 KB) and downloaded (up to 32 MB) through `storage.read`.
import { useState } from 'react';
import type { StorageFile } from '../../../main/api/contract';
import { toast } from '../../app/app-store';
import { bridge } from '../../app/bridge';
import { IconButton, Spinner } from '../../ui/controls';
import { Icon } from '../../ui/icons';
import { fmtBytes } from '../viz/format';
import { JsonTree } from '../viz/JsonTree';

export const isStorageUri = (v: unknown): v is string => typeof v === 'string' && v.startsWith('kestra://');

const PREVIEW_BYTES = 256 * 1024;
const DOWNLOAD_BYTES = 32 * 1024 * 1024;

function toBytes(f: StorageFile): Uint8Array<ArrayBuffer> {
  if (f.encoding === 'utf8') return new TextEncoder().encode(f.data) as Uint8Array<ArrayBuffer>;
  const bin = atob(f.data);
  const out = new Uint8Array(bin.length);
  for (let i = 0; i < bin.length; i++) out[i] = bin.charCodeAt(i);
  return out;
}

export async function downloadStorageFile(uri: string): Promise<void> {
  const r = await bridge().call('storage.read', { uri, maxBytes: DOWNLOAD_BYTES });
  if (!r.ok) {
    toast('error', r.error.message);
    return;
  }
  const blob = new Blob([toBytes(r.value)], { type: r.value.contentType });
  const a = document.createElement('a');
  a.href = URL.createObjectURL(blob);
  a.download = r.value.name;
  document.body.appendChild(a);
  a.click();
  a.remove();
  setTimeout(() => URL.revokeObjectURL(a.href), 10_000);
  if (r.value.truncated) toast('info', `Only the first ${fmtBytes(DOWNLOAD_BYTES)} of ${fmtBytes(r.value.size)} were downloaded.`);
}

function Preview({ file }: { file: StorageFile }) {
  if (file.contentType.startsWith('image/') && file.encoding === 'base64' && !file.truncated) {
    return <img className="file-image" src={`data:${file.contentType};base64,${file.data}`} alt={file.name} />;
  }
  if (file.encoding === 'base64') return <p className="muted small">A binary file ({file.contentType}): download it to open it.</p>;
  if (file.contentType === 'application/json' && !file.truncated) {
    try {
      return <JsonTree value={JSON.parse(file.data)} root="" depth={2} searchable testId="file-json" />;
    } catch {
      // shown as text below
    }
  }
  return (
    <pre className="code file-text" data-testid="file-text">
      {file.data}
    </pre>
  );
}

export function StorageFileLink({ uri }: { uri: string }) {
  const [file, setFile] = useState<StorageFile>();
  const [error, setError] = useState<string>();
  const [loading, setLoading] = useState(false);
  const [open, setOpen] = useState(false);
  const name = decodeURIComponent(uri.slice(uri.lastIndexOf('/') + 1));
  const toggle = async () => {
    if (open) return setOpen(false);
    setOpen(true);
    if (file || loading) return;
    setLoading(true);
    const r = await bridge().call('storage.read', { uri, maxBytes: PREVIEW_BYTES });
    setLoading(false);
    if (r.ok) setFile(r.value);
    else setError(r.error.message);
  };
  return (
    <span className="file-link" data-testid="storage-file" data-uri={uri}>
      <span className="file-chip" title={uri}>
        <Icon name="file" size={13} />
        <span className="mono">{name}</span>
        {file && <span className="muted small">{fmtBytes(file.size)}</span>}
        <IconButton icon="eye" label={open ? 'Hide the preview' : 'Preview'} className="small" active={open} onClick={() => void toggle()} data-testid="file-preview" />
        <IconButton icon="download" label="Download" className="small" onClick={() => void downloadStorageFile(uri)} data-testid="file-download" />
      </span>
      {open && (
        <div className="file-preview" data-testid="file-preview-body">
          {loading && <Spinner />}
          {error && <span className="bad-text small">{error}</span>}
          {file && (
            <>
              {file.truncated && <p className="muted small">The first {fmtBytes(PREVIEW_BYTES)} of {fmtBytes(file.size)}.</p>}
              <Preview file={file} />
            </>
          )}
        </div>
      )}
    </span>
  );
}

/** A JsonTree leaf renderer that turns kestra:// strings into file links. */
export const renderStorageLeaf = (v: unknown) => (isStorageUri(v) ? <StorageFileLink uri={v} /> : undefined);
