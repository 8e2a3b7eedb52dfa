// The dependency-graph webview: one panel, refreshed in place. Its HTML is the
// pure `graphHtml` (graph.ts).
import * as vscode from 'vscode';
import { graphHtml, graphMarkdown, makeNonce } from './graph';

export class GraphPanel {
  private panel: vscode.WebviewPanel | undefined;
  private source = '';

  /** `fetchGraph` asks the server for the Mermaid source (undefined when it could not). */
  constructor(
    private readonly context: vscode.ExtensionContext,
    private readonly log: vscode.LogOutputChannel,
    private readonly fetchGraph: () => Promise<string | undefined>,
  ) {}

  async show(): Promise<void> {
    const source = await this.fetchGraph();
    if (typeof source !== 'string') return;
    const media = vscode.Uri.joinPath(this.context.extensionUri, 'media');
    if (!this.panel) {
      this.panel = vscode.window.createWebviewPanel('specls.graph', 'specls: Dependency Graph', vscode.ViewColumn.Beside, {
        enableScripts: true,
        localResourceRoots: [media],
      });
      this.panel.onDidDispose(() => (this.panel = undefined));
      this.panel.webview.onDidReceiveMessage((m: { command?: string; message?: string }) => this.onMessage(m));
    }
    this.source = source;
    const webview = this.panel.webview;
    const dark = [vscode.ColorThemeKind.Dark, vscode.ColorThemeKind.HighContrast].includes(vscode.window.activeColorTheme.kind);
    webview.html = graphHtml({
      cspSource: webview.cspSource,
      mermaidUri: webview.asWebviewUri(vscode.Uri.joinPath(media, 'mermaid.min.js')).toString(),
      source,
      nonce: makeNonce(),
      theme: dark ? 'dark' : 'default',
    });
    this.panel.reveal(undefined, true);
  }

  /** The buttons of the page (graph.ts). */
  private async onMessage(m: { command?: string; message?: string }): Promise<void> {
    if (m.command === 'refresh') await this.show();
    else if (m.command === 'copy') await vscode.env.clipboard.writeText(this.source);
    else if (m.command === 'markdown') {
      const doc = await vscode.workspace.openTextDocument({ language: 'markdown', content: graphMarkdown(this.source) });
      await vscode.window.showTextDocument(doc);
    } else if (m.command === 'renderFailed') this.log.warn(`Graph rendering failed: ${m.message}`);
  }
}
