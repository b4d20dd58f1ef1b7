import { describe, expect, it } from 'vitest';
import { newId } from '../../../main/runtime/ids';

describe('execution and task-run ids', () => {
  it('are 22 base62 characters, like Kestra ids', () => {
    for (let i = 0; i < 1000; i++) expect(newId()).toMatch(/^[0-9A-Za-z]{22}$/);
  });

  it('sort in creation order, also past 3,844 ids in one millisecond', () => {
    const ids = Array.from({ length: 20_000 }, () => newId());
    for (let i = 1; i < ids.length; i++) expect(ids[i] > ids[i - 1]).toBe(true);
    expect(new Set(ids).size).toBe(ids.length);
  });

  it('start with the creation time', () => {
    const before = Date.now();
    const id = newId();
    const ms = [...id.slice(0, 8)].reduce((n, c) => n * 62 + '0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz'.indexOf(c), 0);
    expect(ms).toBeGreaterThanOrEqual(before);
    expect(ms).toBeLessThan(before + 5_000);
  });
});
