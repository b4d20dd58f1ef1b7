// A tiny JSON Schema checker for the keywords flowJsonSchema emits, so tests can "compile" real
// documents against it. An unknown keyword throws: the test then says which one to support.

type Json = any;

const ANNOTATIONS = new Set(['description', 'title', 'markdownDescription', 'default', 'deprecated', 'examples', '$schema', '$id', '$defs', 'format']);

export function validateJson(root: Json, value: unknown): string[] {
  const errors: string[] = [];
  check(root, root, value, '$', errors);
  return errors;
}

function typeOf(v: unknown): string {
  if (v === null) return 'null';
  if (Array.isArray(v)) return 'array';
  if (typeof v === 'number') return Number.isInteger(v) ? 'integer' : 'number';
  return typeof v;
}

function check(root: Json, s: Json, v: any, at: string, errors: string[]): void {
  if (s === true || s === undefined) return;
  if (s === false) {
    errors.push(`${at}: not allowed`);
    return;
  }
  for (const [k, x] of Object.entries(s as Record<string, Json>)) {
    if (ANNOTATIONS.has(k)) continue;
    switch (k) {
      case '$ref': {
        const m = /^#\/\$defs\/(.+)$/.exec(x);
        if (!m) throw new Error(`unsupported $ref ${x}`);
        const name = m[1].replace(/~1/g, '/').replace(/~0/g, '~');
        if (!(name in root.$defs)) throw new Error(`dangling $ref ${x}`);
        check(root, root.$defs[name], v, at, errors);
        break;
      }
      case 'type': {
        const types = Array.isArray(x) ? x : [x];
        const t = typeOf(v);
        if (!types.includes(t) && !(t === 'integer' && types.includes('number'))) errors.push(`${at}: expected ${types.join('|')}, got ${t}`);
        break;
      }
      case 'enum':
        if (!x.some((e: unknown) => JSON.stringify(e) === JSON.stringify(v))) errors.push(`${at}: not in enum`);
        break;
      case 'const':
        if (JSON.stringify(x) !== JSON.stringify(v)) errors.push(`${at}: expected const ${JSON.stringify(x)}`);
        break;
      case 'anyOf':
      case 'oneOf': {
        const passing = x.filter((sub: Json) => validateWith(root, sub, v, at).length === 0).length;
        if (passing === 0 || (k === 'oneOf' && passing > 1)) errors.push(`${at}: ${k} matched ${passing}`);
        break;
      }
      case 'allOf':
        for (const sub of x) check(root, sub, v, at, errors);
        break;
      case 'properties':
        if (typeOf(v) === 'object') for (const [p, sub] of Object.entries(x)) if (p in v) check(root, sub, v[p], `${at}.${p}`, errors);
        break;
      case 'additionalProperties':
        if (typeOf(v) === 'object') {
          for (const p of Object.keys(v)) if (!(s.properties && p in s.properties)) check(root, x, v[p], `${at}.${p}`, errors);
        }
        break;
      case 'propertyNames':
        if (typeOf(v) === 'object') for (const p of Object.keys(v)) check(root, x, p, `${at}[key ${p}]`, errors);
        break;
      case 'required':
        if (typeOf(v) === 'object') for (const p of x) if (!(p in v)) errors.push(`${at}: missing ${p}`);
        break;
      case 'items':
        if (Array.isArray(v)) v.forEach((item, i) => check(root, x, item, `${at}[${i}]`, errors));
        break;
      case 'minItems':
        if (Array.isArray(v) && v.length < x) errors.push(`${at}: fewer than ${x} items`);
        break;
      case 'maxItems':
        if (Array.isArray(v) && v.length > x) errors.push(`${at}: more than ${x} items`);
        break;
      case 'pattern':
        if (typeof v === 'string' && !new RegExp(x, 'u').test(v)) errors.push(`${at}: does not match ${x}`);
        break;
      case 'minLength':
        if (typeof v === 'string' && v.length < x) errors.push(`${at}: shorter than ${x}`);
        break;
      case 'maxLength':
        if (typeof v === 'string' && v.length > x) errors.push(`${at}: longer than ${x}`);
        break;
      case 'minimum':
        if (typeof v === 'number' && v < x) errors.push(`${at}: below ${x}`);
        break;
      case 'maximum':
        if (typeof v === 'number' && v > x) errors.push(`${at}: above ${x}`);
        break;
      case 'exclusiveMinimum':
        if (typeof v === 'number' && v <= x) errors.push(`${at}: not above ${x}`);
        break;
      case 'exclusiveMaximum':
        if (typeof v === 'number' && v >= x) errors.push(`${at}: not below ${x}`);
        break;
      default:
        throw new Error(`miniJsonSchema does not know the keyword "${k}" (at ${at})`);
    }
  }
}

function validateWith(root: Json, s: Json, v: unknown, at: string): string[] {
  const errors: string[] = [];
  check(root, s, v, at, errors);
  return errors;
}
