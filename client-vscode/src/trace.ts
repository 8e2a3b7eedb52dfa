// HTML of the traceability-matrix webview. No `vscode`: the page comes from the
// server (`specls.trace` with format html: one self-contained page with inline
// styles and no script), and is shown under a CSP that allows nothing else.

/** No script, no network, no frames: only the page's own inline styles and data: images. */
export const TRACE_CSP = "default-src 'none'; style-src 'unsafe-inline'; img-src data:; font-src data:;";

const CSP_META = `<meta http-equiv="Content-Security-Policy" content="${TRACE_CSP}">`;

/** The server's page with our CSP as the first element of its head (any CSP it brings is dropped,
 * so it cannot loosen ours). Anything that is not a whole page is shown as escaped text. */
export function traceHtml(page: string): string {
  const withoutCsp = page.replace(/<meta\s+http-equiv\s*=\s*["']?content-security-policy["']?[^>]*>/gi, '');
  const head = /<head(\s[^>]*)?>/i.exec(withoutCsp);
  if (head) {
    const at = head.index + head[0].length;
    return withoutCsp.slice(0, at) + '\n' + CSP_META + withoutCsp.slice(at);
  }
  return `<!DOCTYPE html>
<html lang="en"><head>
${CSP_META}
<meta charset="UTF-8"><title>specls: traceability</title></head>
<body><pre>${escapeText(page)}</pre></body></html>`;
}

function escapeText(s: string): string {
  return s.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;');
}
