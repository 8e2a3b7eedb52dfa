// The status bar item and the context keys the menus and keybinding of
// package.json test, both rendered from the `ClientState`.
import * as fs from 'node:fs';
import * as vscode from 'vscode';
import type { ClientState } from './state';
import { statusBarModel } from './status';

export class StatusBar implements vscode.Disposable {
  private readonly item: vscode.StatusBarItem;
  private readonly subscriptions: vscode.Disposable[];

  constructor(private readonly state: ClientState) {
    this.item = vscode.window.createStatusBarItem('specls.status', vscode.StatusBarAlignment.Left, 0);
    this.item.name = 'specls';
    this.subscriptions = [
      this.item,
      state.onDidChange(() => this.render()),
      vscode.workspace.onDidGrantWorkspaceTrust(() => this.render()),
      vscode.workspace.onDidChangeConfiguration((e) => e.affectsConfiguration('specls') && this.render()),
    ];
    this.render();
  }

  dispose(): void {
    for (const d of this.subscriptions.splice(0)) d.dispose();
  }

  private render(): void {
    if (!vscode.workspace.getConfiguration('specls').get<boolean>('statusBar.enable', true)) {
      this.item.hide();
      return;
    }
    const m = statusBarModel(this.state.statusInput(vscode.workspace.isTrusted));
    this.item.text = m.text;
    this.item.tooltip = m.tooltip;
    this.item.backgroundColor =
      m.level === 'error' ? new vscode.ThemeColor('statusBarItem.errorBackground') : m.level === 'warning' ? new vscode.ThemeColor('statusBarItem.warningBackground') : undefined;
    this.item.command = m.level === 'error' ? 'specls.showServerLog' : 'specls.showProblems';
    this.item.show();
  }
}

/**
 * `specls.serverRunning`, `specls.specFileActive` and `specls.outputFileActive`.
 * A file counts as a spec only once the server sent its root's globs: until then
 * the spec-only menus stay hidden rather than guess.
 */
export class ContextKeys implements vscode.Disposable {
  private readonly values = new Map<string, boolean>();
  private readonly subscriptions: vscode.Disposable[];

  constructor(private readonly state: ClientState) {
    this.subscriptions = [state.onDidChange(() => this.update()), vscode.window.onDidChangeActiveTextEditor(() => this.update())];
    this.update();
  }

  dispose(): void {
    for (const d of this.subscriptions.splice(0)) d.dispose();
  }

  private update(): void {
    const doc = vscode.window.activeTextEditor?.document;
    const file = doc?.uri.scheme === 'file' ? doc.uri : undefined;
    const real = file && realUri(file);
    this.set('specls.serverRunning', this.state.server === 'running');
    this.set('specls.specFileActive', !!real && this.state.isSpec(real) === true);
    this.set('specls.outputFileActive', !!file && (this.state.isOutput(file.toString()) || (!!real && this.state.isOutput(real))));
  }

  private set(key: string, value: boolean): void {
    if (this.values.get(key) === value) return;
    this.values.set(key, value);
    void vscode.commands.executeCommand('setContext', key, value);
  }
}

/** The file's URI as the server sees it: it resolves symlinks (roots and files) before matching globs. */
function realUri(uri: vscode.Uri): string {
  try {
    return vscode.Uri.file(fs.realpathSync.native(uri.fsPath)).toString();
  } catch {
    return uri.toString(); // not on disk (yet): the server does not resolve it either
  }
}
