// The transform family (JSONata).
import type { PluginDefinition } from '../types';
import { transformValue } from './jsonata/transform-value';

export const transformPlugins: PluginDefinition[] = [transformValue];
