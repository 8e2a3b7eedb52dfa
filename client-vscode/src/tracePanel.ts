// The traceability-matrix webview: one panel, refreshed in place each time the
// command runs. Its HTML is the server's page wrapped by the pure `traceHtml` (trace.ts).
import * as vscode from 'vscode';
import { traceHtml } from './trace';

export class TracePanel {
  private panel: vscode.WebviewPanel | undefined;

  /** `fetchPage` asks the server for the matrix as HTML (undefined when it could not). */
  constructor(private readonly fetchPage: (arg: { uri?: string }) => Promise<string | undefined>) {}

  async show(): Promise<void> {
    // The root of the active file (multi-root), else the server's first root.
    const active = vscode.window.activeTextEditor?.document.uri;
    const page = await this.fetchPage(active && active.scheme === 'file' ? { uri: active.toString() } : {});
    if (typeof page !== 'string') return;
    if (!this.panel) {
      this.panel = vscode.window.createWebviewPanel('specls.trace', 'specls: Traceability Matrix', vscode.ViewColumn.Beside, {
        enableScripts: false,
        localResourceRoots: [],
      });
      this.panel.onDidDispose(() => (this.panel = undefined));
    }
    this.panel.webview.html = traceHtml(page);
    this.panel.reveal(undefined, true);
  }
}
