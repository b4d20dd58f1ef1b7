// Code that runs inside the page (page.evaluate) sees the browser's globals; the repo's root
// tsconfig has no DOM lib (main/ is pure Node), so e2e code names them through this type:
// `(globalThis as unknown as PageGlobals).document…`. A type only: the functions given to
// page.evaluate are serialized and must not call anything from Node.
export interface PageGlobals {
  document: { body: { dataset: Record<string, string | undefined> }; documentElement: { dataset: Record<string, string | undefined> } };
  sessionStorage: { getItem(k: string): string | null; clear(): void };
  localStorage: { setItem(k: string, v: string): void; getItem(k: string): string | null };
  requestAnimationFrame(cb: (t: number) => void): number;
  performance: { now(): number };
  [key: string]: any;
}
