// Flow YAML: parse with positions, validate against the plugin definitions, resolve inputs,
// describe the document as JSON Schema for the editor, and draw it as a graph.
export { parseFlow, type ParsedFlow } from './parse';
export { validateFlow, loadFlow, normalizeFlow, type ValidateOptions, type LoadedFlowResult } from './validate';
export { formatError, hasErrors, tidyErrors, isUnsupportedPlugin, onlyUnsupportedPlugins, type FlowError, type FlowErrorCode, type Severity } from './errors';
export { formatPath, Locator, type Path, type PathSeg, type Position, type Anchor } from './positions';
export { resolveInputs, checkInputValue, INPUT_TYPES, type InputError, type ResolveOptions, type ResolvedInputs } from './inputs';
export { applyPluginDefaults, applyDefaults, collectDefaults, type DefaultsEntry } from './defaults';
export { flowJsonSchema } from './jsonSchema';
export { flowToGraph, type FlowGraph, type GraphNode, type GraphEdge, type GraphNodeKind, type GraphEdgeKind } from './graph';
export { setTemplateValidator, checkTemplate, basicTemplateCheck, engineTemplateCheck, type TemplateIssue, type TemplateValidator } from './templates';
export { suggestType, closest, editDistance } from './suggest';
export { FLOW_ID, NAMESPACE, TASK_ID, TOP_LEVEL_KEYS } from './flowSchema';
