// Commands: one registry behind the command palette, keyboard shortcuts and Electron's menu.
import { create } from 'zustand';

export interface Command {
  id: string;
  title: string;
  /** Palette grouping: "Flow", "View", "Workspace" … */
  group?: string;
  /** `Mod+S`, `Mod+Shift+P`, `Mod+Enter` (Mod is Ctrl, or ⌘ on macOS). */
  keys?: string;
  /** More shortcuts for the same command (not shown). */
  altKeys?: string[];
  /** Not listed in the command palette. */
  hidden?: boolean;
  run(): void | Promise<void>;
  enabled?(): boolean;
  /** For shortcuts: whether this key press is for us (e.g. not inside an unrelated text box). */
  when?(e: KeyboardEvent): boolean;
}

interface CommandsState {
  commands: Record<string, Command>;
}

export const useCommands = create<CommandsState>(() => ({ commands: {} }));

export function registerCommand(...cmds: Command[]): () => void {
  useCommands.setState((s) => ({ commands: { ...s.commands, ...Object.fromEntries(cmds.map((c) => [c.id, c])) } }));
  return () => useCommands.setState((s) => ({ commands: Object.fromEntries(Object.entries(s.commands).filter(([id]) => !cmds.some((c) => c.id === id))) }));
}

export function runCommand(id: string): boolean {
  const cmd = useCommands.getState().commands[id];
  if (!cmd || (cmd.enabled && !cmd.enabled())) return false;
  void cmd.run();
  return true;
}

export const isMac = typeof navigator !== 'undefined' && /Mac|iPhone|iPad/.test(navigator.platform);

/** `Mod+Shift+P` → `Ctrl+Shift+P` / `⌘⇧P`. */
export function keyLabel(keys: string): string {
  if (!isMac) return keys.replace(/Mod/g, 'Ctrl');
  return keys.replace(/Mod\+?/g, '⌘').replace(/Shift\+?/g, '⇧').replace(/Alt\+?/g, '⌥').replace(/Enter/g, '↵');
}

function eventKeys(e: KeyboardEvent): string {
  const parts: string[] = [];
  if (isMac ? e.metaKey : e.ctrlKey) parts.push('Mod');
  if (e.shiftKey) parts.push('Shift');
  if (e.altKey) parts.push('Alt');
  const k = e.key.length === 1 ? e.key.toUpperCase() : e.key;
  parts.push(k);
  return parts.join('+');
}

/** Global shortcuts (capture phase, so they also work while a text field has focus). */
export function startShortcuts(): () => void {
  const onKey = (e: KeyboardEvent) => {
    if (!(isMac ? e.metaKey : e.ctrlKey)) return;
    const keys = eventKeys(e);
    const cmd = Object.values(useCommands.getState().commands).find((c) => (c.keys === keys || c.altKeys?.includes(keys)) && (!c.when || c.when(e)));
    if (!cmd) return;
    e.preventDefault();
    e.stopPropagation();
    if (!cmd.enabled || cmd.enabled()) void cmd.run();
  };
  window.addEventListener('keydown', onKey, true);
  return () => window.removeEventListener('keydown', onKey, true);
}

/** Electron's application menu sends these (electron/menu.ts); the preload may expose them. */
const MENU_COMMANDS: Record<string, string> = {
  'new-flow': 'workspace.newFlow',
  save: 'flow.save',
  'toggle-view': 'editor.toggleView',
  palette: 'app.commandPalette',
  run: 'flow.run',
};

interface MenuBridge {
  onCommand(listener: (command: string) => void): (() => void) | void;
}

export function startMenuCommands(): () => void {
  const menu = (window as unknown as { peregrineMenu?: MenuBridge }).peregrineMenu;
  if (!menu?.onCommand) return () => {};
  const off = menu.onCommand((c) => {
    if (MENU_COMMANDS[c]) runCommand(MENU_COMMANDS[c]);
  });
  return typeof off === 'function' ? off : () => {};
}
