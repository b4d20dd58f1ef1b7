// Open-loop pacing for the publishers: every millisecond, hand over the messages due by now
// (`rate` per second for `seconds`), whatever happened to the earlier ones.
export function pace(rate: number, seconds: number, tick: (from: number, to: number) => void): Promise<{ sent: number; elapsedS: number; maxBehind: number }> {
  const total = Math.floor(rate * seconds);
  const start = performance.now();
  let due = 0;
  let maxBehind = 0;
  return new Promise((resolve) => {
    const timer = setInterval(() => {
      const now = performance.now();
      const target = Math.min(total, Math.floor(((now - start) / 1000) * rate));
      if (target > due) {
        maxBehind = Math.max(maxBehind, target - due);
        const from = due;
        due = target;
        tick(from, target);
      }
      if (due >= total) {
        clearInterval(timer);
        resolve({ sent: due, elapsedS: (performance.now() - start) / 1000, maxBehind });
      }
    }, 1);
  });
}

/** Runs a script of this folder as its own process (`node --import tsx`), returning its last JSON line. */
export async function runJsonProcess(script: string, args: string[], timeoutMs: number): Promise<any> {
  const { spawn } = await import('node:child_process');
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, ['--import', 'tsx', script, ...args], { stdio: ['ignore', 'pipe', 'pipe'] });
    let out = '';
    let err = '';
    child.stdout.on('data', (d) => (out += d));
    child.stderr.on('data', (d) => (err = (err + d).slice(-4000)));
    const timer = setTimeout(() => child.kill('SIGKILL'), timeoutMs);
    child.on('exit', (code) => {
      clearTimeout(timer);
      const last = out.trim().split('\n').pop() ?? '';
      if (code === 0 && last.startsWith('{')) resolve(JSON.parse(last));
      else reject(new Error(`${script} exited ${code}: ${err.slice(-1500)}`));
    });
  });
}
