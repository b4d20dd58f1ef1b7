// Flows made up for tests.

/** `blocks` × (an If with 3 + 2 tasks, then 4 tasks) = 10 tasks a block. */
export function bigFlow(id: string, blocks: number): string {
  const log = (tid: string, indent: string) => `${indent}- id: ${tid}\n${indent}  type: io.kestra.plugin.core.log.Log\n${indent}  message: "step ${tid} of {{ flow.id }}"\n`;
  let out = `id: ${id}\nnamespace: perf\n\ntasks:\n`;
  for (let b = 0; b < blocks; b++) {
    out += `  - id: check_${b}\n    type: io.kestra.plugin.core.flow.If\n    condition: "{{ ${b} % 2 == 0 }}"\n    then:\n`;
    for (let i = 0; i < 3; i++) out += log(`then_${b}_${i}`, '      ');
    out += '    else:\n';
    for (let i = 0; i < 2; i++) out += log(`else_${b}_${i}`, '      ');
    for (let i = 0; i < 4; i++) out += log(`step_${b}_${i}`, '  ');
  }
  return out;
}

