// HTML of the dependency-graph webview. No `vscode`: the caller passes the
// webview's CSP source and script URI.

export interface GraphPage {
  /** `webview.cspSource`. */
  cspSource: string;
  /** URI of media/mermaid.min.js as the webview sees it. */
  mermaidUri: string;
  /** Graph text from `specls.graph` (Mermaid). */
  source: string;
  nonce: string;
  /** 'dark' or 'default' Mermaid theme. */
  theme: 'dark' | 'default';
}

export function escapeHtml(s: string): string {
  return s.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;').replace(/"/g, '&quot;').replace(/'/g, '&#39;');
}

/** A nonce for the webview's Content-Security-Policy. */
export function makeNonce(random: () => number = Math.random): string {
  const chars = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789';
  let out = '';
  for (let i = 0; i < 32; i++) out += chars[Math.floor(random() * chars.length)];
  return out;
}

export function graphHtml(p: GraphPage): string {
  const src = escapeHtml(p.source);
  return `<!DOCTYPE html>
<html lang="en">
<head>
<meta charset="UTF-8">
<meta http-equiv="Content-Security-Policy" content="default-src 'none'; img-src ${p.cspSource} data:; style-src ${p.cspSource} 'unsafe-inline'; font-src ${p.cspSource}; script-src 'nonce-${p.nonce}';">
<meta name="viewport" content="width=device-width, initial-scale=1.0">
<title>specls: dependency graph</title>
<style>
  body { font-family: var(--vscode-font-family); color: var(--vscode-foreground); padding: 0 1em; }
  .toolbar { margin: .8em 0; display: flex; gap: .5em; }
  button { background: var(--vscode-button-background); color: var(--vscode-button-foreground); border: none; padding: .3em .8em; cursor: pointer; }
  button:hover { background: var(--vscode-button-hoverBackground); }
  #graph svg { max-width: 100%; height: auto; }
  #error { color: var(--vscode-errorForeground); white-space: pre-wrap; }
  pre { background: var(--vscode-textCodeBlock-background); padding: .8em; overflow: auto; }
</style>
</head>
<body>
<div class="toolbar">
  <button id="refresh">Refresh</button>
  <button id="copy">Copy Mermaid source</button>
  <button id="markdown">Open as Markdown</button>
</div>
<div id="graph" class="mermaid">${src}</div>
<div id="error"></div>
<details><summary>Mermaid source</summary><pre id="source">${src}</pre></details>
<script nonce="${p.nonce}" src="${p.mermaidUri}"></script>
<script nonce="${p.nonce}">
  const vscode = acquireVsCodeApi();
  for (const id of ['refresh', 'copy', 'markdown']) {
    document.getElementById(id).addEventListener('click', () => vscode.postMessage({ command: id }));
  }
  (async () => {
    try {
      mermaid.initialize({ startOnLoad: false, securityLevel: 'strict', theme: '${p.theme}' });
      await mermaid.run({ querySelector: '#graph' });
      vscode.postMessage({ command: 'rendered' });
    } catch (e) {
      document.getElementById('error').textContent = 'Could not render the graph: ' + (e && e.message ? e.message : e);
      document.getElementById('graph').style.display = 'none';
      vscode.postMessage({ command: 'renderFailed', message: String(e && e.message ? e.message : e) });
    }
  })();
</script>
</body>
</html>`;
}

/** A Markdown document with the graph as a fenced Mermaid block (for "Open as Markdown"). */
export function graphMarkdown(source: string): string {
  const fence = source.includes('```') ? '~~~~' : '```';
  return `# specls dependency graph\n\n${fence}mermaid\n${source.trimEnd()}\n${fence}\n`;
}
