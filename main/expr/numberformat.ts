// java.text.DecimalFormat, the subset flows use: `#`, `0`, grouping `,`, fraction digits, percent,
// literal prefix/suffix, HALF_EVEN rounding on the exact binary value. en-US symbols.
import { fail } from './errors';

interface Fmt { prefix: string; suffix: string; minInt: number; group: number; minFrac: number; maxFrac: number; multiplier: number }

const cache = new Map<string, Fmt>();

function compile(pattern: string): Fmt {
  const hit = cache.get(pattern);
  if (hit) return hit;
  const positive = pattern.split(';')[0];
  let i = 0;
  let prefix = '';
  let multiplier = 1;
  const literal = (c: string): string => {
    if (c === '%') multiplier = 100;
    else if (c === '\u2030') multiplier = 1000;
    return c;
  };
  while (i < positive.length && !'#0,.'.includes(positive[i])) {
    if (positive[i] === "'") {
      const end = positive.indexOf("'", i + 1);
      prefix += end === i + 1 ? "'" : positive.slice(i + 1, end < 0 ? undefined : end);
      i = end < 0 ? positive.length : end + 1;
      continue;
    }
    prefix += literal(positive[i++]);
  }
  let intPart = '';
  while (i < positive.length && '#0,'.includes(positive[i])) intPart += positive[i++];
  let fracPart = '';
  if (positive[i] === '.') {
    i++;
    while (i < positive.length && '#0'.includes(positive[i])) fracPart += positive[i++];
  }
  let suffix = '';
  while (i < positive.length) {
    if (positive[i] === "'") {
      const end = positive.indexOf("'", i + 1);
      suffix += end === i + 1 ? "'" : positive.slice(i + 1, end < 0 ? undefined : end);
      i = end < 0 ? positive.length : end + 1;
      continue;
    }
    if ('#0,.'.includes(positive[i])) return fail(`Malformed pattern "${pattern}"`);
    suffix += literal(positive[i++]);
  }
  const lastComma = intPart.lastIndexOf(',');
  const fmt: Fmt = {
    prefix, suffix, multiplier,
    minInt: (intPart.match(/0/g) ?? []).length,
    group: lastComma < 0 ? 0 : intPart.length - lastComma - 1,
    minFrac: (fracPart.match(/0/g) ?? []).length,
    maxFrac: fracPart.length,
  };
  if (cache.size > 200) cache.clear();
  cache.set(pattern, fmt);
  return fmt;
}

/** Rounds the exact decimal expansion of |n| to `digits` fraction digits, half-even. */
function roundHalfEven(n: number, digits: number): { int: string; frac: string } {
  const exact = Math.abs(n).toFixed(Math.min(100, digits + 30));
  const [ip, fp = ''] = exact.split('.');
  const keep = fp.slice(0, digits);
  const rest = fp.slice(digits);
  let up = false;
  if (rest.length > 0) {
    const first = rest.charCodeAt(0) - 48;
    const tail = /[1-9]/.test(rest.slice(1));
    if (first > 5 || (first === 5 && tail)) up = true;
    else if (first === 5 && !tail) {
      const lastDigit = (keep.length > 0 ? keep : ip).slice(-1);
      up = Number(lastDigit) % 2 === 1;
    }
  }
  let digitsStr = ip + keep;
  if (up) {
    const arr = digitsStr.split('');
    let k = arr.length - 1;
    while (k >= 0) {
      if (arr[k] === '9') {
        arr[k] = '0';
        k--;
      } else {
        arr[k] = String(Number(arr[k]) + 1);
        break;
      }
    }
    digitsStr = (k < 0 ? '1' : '') + arr.join('');
  }
  const intLen = digitsStr.length - keep.length;
  return { int: digitsStr.slice(0, intLen), frac: digitsStr.slice(intLen) };
}

export function decimalFormat(n: number, pattern = '#,##0.###'): string {
  if (Number.isNaN(n)) return 'NaN';
  const f = compile(pattern);
  if (!Number.isFinite(n)) return (n < 0 ? '-' : '') + f.prefix + '\u221e' + f.suffix;
  const v = n * f.multiplier;
  const r = roundHalfEven(v, f.maxFrac);
  let frac = r.frac;
  while (frac.length > f.minFrac && frac.endsWith('0')) frac = frac.slice(0, -1);
  let int = r.int.replace(/^0+/, '');
  while (int.length < f.minInt) int = '0' + int;
  if (int === '' && frac === '') int = '0';
  if (f.group > 0 && int.length > f.group) {
    const parts: string[] = [];
    for (let end = int.length; end > 0; end -= f.group) parts.unshift(int.slice(Math.max(0, end - f.group), end));
    int = parts.join(',');
  }
  const negative = v < 0 && /[1-9]/.test(int + frac);
  return (negative ? '-' : '') + f.prefix + int + (frac ? '.' + frac : '') + f.suffix;
}
