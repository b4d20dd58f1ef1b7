// The script family: shell, Node.js and Python tasks run as local processes (see runner.ts).
import type { PluginDefinition } from '../types';
import { shellScript } from './shell/script';
import { shellCommands } from './shell/commands';
import { nodeScript } from './node/script';
import { nodeCommands } from './node/commands';
import { pythonScript } from './python/script';
import { pythonCommands } from './python/commands';

export const scriptPlugins: PluginDefinition[] = [shellScript, shellCommands, nodeScript, nodeCommands, pythonScript, pythonCommands];
