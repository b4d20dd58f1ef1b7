// main/kestra/zip.ts: the reader reads what the writer writes (stored and deflated), what Info-ZIP's
// `zip` writes (incl. streamed archives with data descriptors), and `unzip` reads what we write.
// The zip/unzip cases need the Debian packages `zip` and `unzip` (CI installs them); without them
// they skip and say so.
import { spawnSync } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { crc32, readZip, safeEntryName, writeZip, ZipError } from '../../../main/kestra/zip';
import { tempDir } from '../../helpers/server-process';

const has = (bin: string) => spawnSync('sh', ['-c', `command -v ${bin}`]).status === 0;
const HAS_ZIP = has('zip');
const HAS_UNZIP = has('unzip');
const missing = (bin: string) => `${bin} is not installed (apt-get install ${bin})`;

const FLOW = `# a comment that must survive
id: hello
namespace: company.team
tasks:
  - id: log
    type: io.kestra.plugin.core.log.Log
    message: "héllo {{ 'wörld' }} ✓"
`;

describe('crc32', () => {
  it('matches the standard check value', () => {
    expect(crc32(Buffer.from('123456789'))).toBe(0xcbf43926);
    expect(crc32(Buffer.alloc(0))).toBe(0);
  });
});

describe('writeZip → readZip', () => {
  for (const method of ['store', 'deflate'] as const) {
    it(`round-trips text, binary, empty and nested entries (${method})`, () => {
      const binary = Buffer.from(Array.from({ length: 5000 }, (_, i) => (i * 31) % 256));
      const zip = writeZip(
        [
          { name: 'company.team/hello.yml', data: FLOW },
          { name: 'company.team/sub/big.yml', data: FLOW.repeat(200) },
          { name: 'empty.yml', data: '' },
          { name: 'bin/data.bin', data: binary },
          { name: 'ünïcode/flöw.yml', data: FLOW },
        ],
        { method },
      );
      const entries = readZip(zip);
      expect(entries.map((e) => e.name)).toEqual(['company.team/hello.yml', 'company.team/sub/big.yml', 'empty.yml', 'bin/data.bin', 'ünïcode/flöw.yml']);
      expect(entries[0].data.toString('utf8')).toBe(FLOW);
      expect(entries[1].data.toString('utf8')).toBe(FLOW.repeat(200));
      expect(entries[2].data.length).toBe(0);
      expect(entries[3].data.equals(binary)).toBe(true);
      expect(entries[4].data.toString('utf8')).toBe(FLOW);
      if (method === 'deflate') expect(zip.length).toBeLessThan(FLOW.length * 50);
    });
  }

  it('keeps the modification time (2-second resolution)', () => {
    const date = new Date(2024, 4, 17, 13, 45, 30);
    const [e] = readZip(writeZip([{ name: 'a.yml', data: 'x', date }]));
    expect(e.date.getTime()).toBe(date.getTime());
  });

  it('refuses unsafe or duplicate names when writing', () => {
    expect(() => writeZip([{ name: '../evil.yml', data: 'x' }])).toThrow(ZipError);
    expect(() => writeZip([{ name: '/etc/passwd', data: 'x' }])).toThrow(ZipError);
    expect(() => writeZip([{ name: 'a.yml', data: 'x' }, { name: 'a.yml', data: 'y' }])).toThrow(/duplicate/);
  });

  it('detects corruption, truncation, and what it does not read', () => {
    const zip = writeZip([{ name: 'a.yml', data: FLOW }], { method: 'store' });
    const corrupt = Buffer.from(zip);
    corrupt[40] ^= 0xff; // inside the stored data
    expect(() => readZip(corrupt)).toThrow(/CRC-32/);
    expect(() => readZip(zip.subarray(0, zip.length - 30))).toThrow(ZipError);
    expect(() => readZip(Buffer.from('not a zip at all'))).toThrow(/not a ZIP archive/);
    expect(() => readZip(writeZip([{ name: 'big.yml', data: 'x'.repeat(10_000) }]), { maxEntryBytes: 1000 })).toThrow(/more than the 1000 allowed/);
  });

  it('safeEntryName keeps relative names and refuses the rest', () => {
    expect(safeEntryName('a/./b//c.yml')).toBe('a/b/c.yml');
    expect(safeEntryName('../x.yml')).toBeUndefined();
    expect(safeEntryName('a/../../x.yml')).toBeUndefined();
    expect(safeEntryName('/abs.yml')).toBeUndefined();
    expect(safeEntryName('C:\\x.yml')).toBeUndefined();
  });
});

describe.skipIf(!HAS_ZIP)(`archives written by Info-ZIP zip${HAS_ZIP ? '' : ` (skipped: ${missing('zip')})`}`, () => {
  function tree(): string {
    const dir = tempDir('zip-src');
    fs.mkdirSync(path.join(dir, 'company.team/sub'), { recursive: true });
    fs.writeFileSync(path.join(dir, 'company.team/hello.yml'), FLOW);
    fs.writeFileSync(path.join(dir, 'company.team/sub/big.yml'), FLOW.repeat(100));
    fs.writeFileSync(path.join(dir, 'empty.yml'), '');
    return dir;
  }

  for (const [label, flags] of [['deflated', ['-r', '-9']], ['stored', ['-r', '-0']]] as const) {
    it(`reads a ${label} archive with directory entries`, () => {
      const dir = tree();
      const out = path.join(tempDir('zip-out'), 'flows.zip');
      const r = spawnSync('zip', [...flags, '-q', out, '.'], { cwd: dir });
      expect(r.status, String(r.stderr)).toBe(0);
      const entries = readZip(fs.readFileSync(out));
      const files = Object.fromEntries(entries.filter((e) => !e.isDirectory).map((e) => [e.name, e.data.toString('utf8')]));
      expect(files).toEqual({ 'company.team/hello.yml': FLOW, 'company.team/sub/big.yml': FLOW.repeat(100), 'empty.yml': '' });
      expect(entries.some((e) => e.isDirectory && e.name === 'company.team/')).toBe(true);
    });
  }

  it('reads a streamed archive (zip to a pipe: data descriptors after each entry)', () => {
    const dir = tree();
    const r = spawnSync('sh', ['-c', 'zip -q -r -D - . | cat'], { cwd: dir, maxBuffer: 1 << 24 });
    expect(r.status, String(r.stderr)).toBe(0);
    const buf = r.stdout as Buffer;
    expect((buf.readUInt16LE(6) & 0x0008) !== 0, 'zip wrote no data descriptor').toBe(true);
    const files = readZip(buf).filter((e) => !e.isDirectory);
    expect(files.find((e) => e.name === 'company.team/sub/big.yml')?.data.toString('utf8')).toBe(FLOW.repeat(100));
  });
});

describe.skipIf(!HAS_UNZIP)(`archives read by Info-ZIP unzip${HAS_UNZIP ? '' : ` (skipped: ${missing('unzip')})`}`, () => {
  for (const method of ['store', 'deflate'] as const) {
    it(`unzip -t finds no error and extracts the same bytes (${method})`, () => {
      const dir = tempDir('unzip');
      const file = path.join(dir, 'out.zip');
      fs.writeFileSync(file, writeZip([{ name: 'company.team/hello.yml', data: FLOW }, { name: 'big.yml', data: FLOW.repeat(300) }, { name: 'empty.yml', data: '' }], { method }));
      const test = spawnSync('unzip', ['-t', file], { encoding: 'utf8' });
      expect(test.status, test.stdout + test.stderr).toBe(0);
      expect(test.stdout).toMatch(/No errors detected/);
      const x = spawnSync('unzip', ['-q', file, '-d', path.join(dir, 'x')], { encoding: 'utf8' });
      expect(x.status, x.stderr).toBe(0);
      expect(fs.readFileSync(path.join(dir, 'x/company.team/hello.yml'), 'utf8')).toBe(FLOW);
      expect(fs.readFileSync(path.join(dir, 'x/big.yml'), 'utf8')).toBe(FLOW.repeat(300));
      expect(fs.statSync(path.join(dir, 'x/empty.yml')).size).toBe(0);
    });
  }
});
