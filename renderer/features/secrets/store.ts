// Secret names from the engine's store (values are never read back), to pick from in forms.
import { create } from 'zustand';
import type { SecretSummary } from '../../../main/api/contract';
import { call } from '../../app/bridge';

interface SecretsState {
  secrets: SecretSummary[];
  loaded: boolean;
  error?: string;
  load(): Promise<void>;
  set(name: string, value: string, namespace?: string): Promise<boolean>;
}

export const useSecrets = create<SecretsState>((set, get) => ({
  secrets: [],
  loaded: false,
  async load() {
    try {
      set({ secrets: await call('secrets.list', {}), loaded: true, error: undefined });
    } catch (e) {
      set({ error: (e as Error).message, loaded: true });
    }
  },
  async set(name, value, namespace = '') {
    try {
      await call('secrets.set', { name, value, namespace });
      await get().load();
      return true;
    } catch (e) {
      set({ error: (e as Error).message });
      return false;
    }
  },
}));

/** The expression that reads a secret by name. */
export const secretExpression = (name: string): string => `{{ secret('${name}') }}`;
