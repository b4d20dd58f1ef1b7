// IPC channel names shared by the main process and the preload (kept free of imports, so the
// sandboxed preload bundle stays small).
export const CONNECT = 'peregrine:connect';
export const PORT = 'peregrine:port';
