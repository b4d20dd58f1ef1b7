// CPU and memory of another process from /proc (Linux), for peers that expose no metrics.
import fs from 'node:fs';

const TICK = 100; // USER_HZ on Linux

export interface ProcSample { cpuS: number; at: number }

export function sample(pid: number | undefined): ProcSample | undefined {
  if (!pid) return undefined;
  try {
    const stat = fs.readFileSync(`/proc/${pid}/stat`, 'utf8');
    const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
    // utime, stime are fields 14 and 15 (1-based) of the whole line: 12 and 13 after "pid (comm) ".
    return { cpuS: (Number(fields[11]) + Number(fields[12])) / TICK, at: performance.now() };
  } catch {
    return undefined;
  }
}

export function cpuPercent(a: ProcSample | undefined, b: ProcSample | undefined): number | undefined {
  if (!a || !b || b.at <= a.at) return undefined;
  return Math.round(((b.cpuS - a.cpuS) / ((b.at - a.at) / 1000)) * 1000) / 10;
}

export function rssMb(pid: number | undefined): number | undefined {
  if (!pid) return undefined;
  try {
    const m = /VmRSS:\s+(\d+) kB/.exec(fs.readFileSync(`/proc/${pid}/status`, 'utf8'));
    return m ? Math.round(Number(m[1]) / 102.4) / 10 : undefined;
  } catch {
    return undefined;
  }
}
