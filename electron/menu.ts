// The application menu with the usual shortcuts; app-specific items send commands to the page.
import { Menu, type MenuItemConstructorOptions } from 'electron';

export function appMenu(): Menu {
  const mac = process.platform === 'darwin';
  const send = (command: string) => (_item: unknown, win: { webContents: { send(c: string, a: string): void } } | undefined) =>
    win?.webContents.send('peregrine:menu', command);
  const template: MenuItemConstructorOptions[] = [
    ...(mac ? [{ role: 'appMenu' as const }] : []),
    {
      label: 'File',
      submenu: [
        { label: 'New Flow', accelerator: 'CmdOrCtrl+N', click: send('new-flow') as never },
        { label: 'Save', accelerator: 'CmdOrCtrl+S', click: send('save') as never },
        { type: 'separator' },
        mac ? { role: 'close' } : { role: 'quit' },
      ],
    },
    { role: 'editMenu' },
    {
      label: 'View',
      submenu: [
        { label: 'Toggle YAML / Graph', accelerator: 'CmdOrCtrl+E', click: send('toggle-view') as never },
        { label: 'Command Palette', accelerator: 'CmdOrCtrl+Shift+P', click: send('palette') as never },
        { type: 'separator' },
        { role: 'reload' },
        { role: 'toggleDevTools' },
        { role: 'togglefullscreen' },
      ],
    },
    { label: 'Run', submenu: [{ label: 'Run Flow', accelerator: 'CmdOrCtrl+Enter', click: send('run') as never }] },
    { role: 'windowMenu' },
  ];
  return Menu.buildFromTemplate(template);
}
