// The engine's API as the UI sees it: the contract's commands and live streams, ready to be bound
// to a transport (WebSocket in web mode, IPC in Electron).
import type { Engine } from '../runtime/engine';
import { createCommands } from './commands';
import type { Bridge, CommandInput, CommandName, CommandOutput, Result, Settings } from './contract';
import { StreamHub, type HubOptions } from './streams';

export interface EngineApi extends Bridge {
  hub: StreamHub;
  close(): void;
}

export function createApi(engine: Engine, opts: { settings?: Partial<Settings>; hub?: HubOptions } = {}): EngineApi {
  const settings: Settings = {
    maxInFlight: engine.options.maxInFlight ?? 1000,
    retentionDays: engine.options.retentionDays ?? 0,
    durability: engine.options.durability ?? 'NORMAL',
    embeddedMqtt: false,
    ...opts.settings,
  };
  const call = createCommands(engine, () => settings);
  const hub = new StreamHub(engine.events, { health: () => engine.supervisor.health(), ...opts.hub });
  return {
    call: <N extends CommandName>(name: N, input: CommandInput<N>): Promise<Result<CommandOutput<N>>> => call(name, input),
    subscribe: (stream, filter, onBatch) => hub.subscribe(stream, filter, onBatch),
    hub,
    close: () => hub.close(),
  };
}
