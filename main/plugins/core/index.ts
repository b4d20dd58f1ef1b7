// The core family: log, debug, outputs, flow control, execution and KV tasks.
import type { PluginDefinition } from '../types';
import { log } from './log/log';
import { returnTask } from './debug/return';
import { outputValues } from './output/output-values';
import { sleep } from './flow/sleep';
import { ifTask } from './flow/if';
import { switchTask } from './flow/switch';
import { parallel } from './flow/parallel';
import { sequential } from './flow/sequential';
import { forEach } from './flow/for-each';
import { fail } from './execution/fail';
import { kvSet } from './kv/set';
import { kvGet } from './kv/get';
import { kvDelete } from './kv/delete';

export const corePlugins: PluginDefinition[] = [
  log,
  returnTask,
  outputValues,
  sleep,
  fail,
  ifTask,
  switchTask,
  parallel,
  sequential,
  forEach,
  kvSet,
  kvGet,
  kvDelete,
];
