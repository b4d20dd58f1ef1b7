// The script family: shell and Node.js tasks run as local processes (see runner.ts).
import type { PluginDefinition } from '../types';
import { shellScript } from './shell/script';
import { shellCommands } from './shell/commands';
import { nodeScript } from './node/script';
import { nodeCommands } from './node/commands';

export const scriptPlugins: PluginDefinition[] = [shellScript, shellCommands, nodeScript, nodeCommands];
