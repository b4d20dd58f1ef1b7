// The HTTP family.
import type { PluginDefinition } from '../types';
import { request } from './request';

export const httpPlugins: PluginDefinition[] = [request];
