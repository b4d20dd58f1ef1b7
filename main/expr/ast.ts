// AST of templates and expressions. `pos`/`end` are offsets in the template source.

export interface Arg { name?: string; value: Expr; pos: number }

export type Expr =
  | { k: 'lit'; v: unknown; pos: number; end: number; float?: boolean }
  | { k: 'var'; name: string; pos: number; end: number }
  | { k: 'attr'; obj: Expr; key: Expr; dot: boolean; args?: Expr[]; pos: number; end: number }
  | { k: 'call'; name: string; args: Arg[]; pos: number; end: number }
  | { k: 'filter'; input: Expr; name: string; args: Arg[]; pos: number; end: number; namePos: number }
  | { k: 'test'; input: Expr; name: string; args: Arg[]; negate: boolean; pos: number; end: number }
  | { k: 'unary'; op: string; e: Expr; pos: number; end: number }
  | { k: 'bin'; op: string; l: Expr; r: Expr; pos: number; end: number; opPos: number }
  | { k: 'tern'; c: Expr; a: Expr; b: Expr; pos: number; end: number }
  | { k: 'list'; items: Expr[]; pos: number; end: number }
  | { k: 'map'; entries: [Expr, Expr][]; pos: number; end: number };

export interface TagRange { start: number; end: number }

export type Stmt =
  | { k: 'text'; v: string }
  | { k: 'print'; e: Expr; tag: TagRange }
  | { k: 'if'; branches: { cond: Expr; body: Stmt[] }[]; else?: Stmt[]; tag: TagRange }
  | { k: 'for'; keyVar?: string; valVar: string; iter: Expr; body: Stmt[]; else?: Stmt[]; tag: TagRange }
  | { k: 'set'; name: string; e: Expr; tag: TagRange }
  | { k: 'filterblock'; filters: { name: string; args: Arg[]; pos: number }[]; body: Stmt[]; tag: TagRange };

export interface TemplateAst { body: Stmt[]; tags: TagRange[] }
