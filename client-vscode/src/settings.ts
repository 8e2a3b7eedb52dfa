// The `specls.*` settings as VS Code holds them, turned into what the pure
// `config.ts` works with.
import * as vscode from 'vscode';
import { type RawSettings, serverArgs, serverPath, type ServerConfig, toServerConfig } from './config';

export function rawSettings(): RawSettings {
  const c = vscode.workspace.getConfiguration('specls');
  return {
    server: { path: c.get('server.path'), args: c.get('server.args') },
    generators: { allow: c.get('generators.allow') },
    debounce: c.get('debounce'),
  };
}

/** What starts the server process: when it changes, the server is restarted. */
export function serverKey(): string {
  const settings = rawSettings();
  return JSON.stringify([serverPath(settings), serverArgs(settings)]);
}

/** The `specls` configuration section the server is told (docs/protocol.md). */
export function serverConfig(): ServerConfig {
  return toServerConfig(rawSettings(), vscode.workspace.isTrusted);
}
