// The VS Code side of specls: wires the modules together. `client.ts` starts
// `specls serve` (found by `python.ts`), `commands.ts` binds the commands of
// docs/protocol.md to the palette and menus, `statusBar.ts` renders the
// `ClientState` (state.ts) the server's `specls/status` keeps current. Everything
// that can be decided without VS Code lives in the modules that do not import it
// (unit-tested under node).
import type * as vscode from 'vscode';
import { SpeclsClient } from './client';
import { Commands } from './commands';
import { ClientState } from './state';
import { ContextKeys, StatusBar } from './statusBar';

let client: SpeclsClient | undefined;

export async function activate(context: vscode.ExtensionContext): Promise<void> {
  const state = new ClientState();
  client = new SpeclsClient(context, state);
  new Commands(context, client, state);
  context.subscriptions.push(client, new StatusBar(state), new ContextKeys(state));
  await client.start();
}

export async function deactivate(): Promise<void> {
  await client?.stop();
  client = undefined;
}
