// Looks plugins up by type or alias. Each plugin family registers itself from its own folder.
import { z } from 'zod';
import { commonTaskProps, commonTriggerProps } from './schema';
import type { PluginDefinition, TaskDefinition, TriggerDefinition } from './types';

export class PluginRegistry {
  private readonly byType = new Map<string, PluginDefinition>();
  private readonly fullSchemas = new Map<PluginDefinition, z.ZodObject<any>>();

  register(...defs: PluginDefinition[]): this {
    for (const def of defs) {
      for (const name of [def.type, ...(def.aliases ?? [])]) {
        if (this.byType.has(name)) throw new Error(`plugin type registered twice: ${name}`);
        this.byType.set(name, def);
      }
    }
    return this;
  }

  get(type: string): PluginDefinition | undefined {
    return this.byType.get(type);
  }

  task(type: string): TaskDefinition | undefined {
    const d = this.byType.get(type);
    return d?.kind === 'task' ? d : undefined;
  }

  trigger(type: string): TriggerDefinition | undefined {
    const d = this.byType.get(type);
    return d?.kind === 'trigger' ? d : undefined;
  }

  /** Every definition once (aliases folded). */
  all(): PluginDefinition[] {
    return [...new Set(this.byType.values())];
  }

  /** Every name a type may be written with (for "did you mean"). */
  names(): string[] {
    return [...this.byType.keys()];
  }

  /**
   * The plugin's own properties merged with the common task/trigger ones, strict so that a
   * misspelt property is an error. Child task lists are typed loosely here: the flow validator
   * checks each child against its own plugin.
   */
  schemaOf(def: PluginDefinition): z.ZodObject<any> {
    let schema = this.fullSchemas.get(def);
    if (!schema) {
      const common = def.kind === 'task' ? commonTaskProps : commonTriggerProps;
      schema = z.object({ ...common, ...def.props.shape }).strict();
      this.fullSchemas.set(def, schema);
    }
    return schema;
  }
}
