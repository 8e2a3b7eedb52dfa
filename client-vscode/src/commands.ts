// The `specls.*` commands of the palette, menus and keybinding (package.json),
// each sent to the server as a `workspace/executeCommand` of docs/protocol.md.
import * as vscode from 'vscode';
import { ExecuteCommandRequest, type Location as LspLocation, type Position as LspPosition } from 'vscode-languageclient/node';
import { SERVER_COMMANDS, type SpeclsClient } from './client';
import { GraphPanel } from './graphPanel';
import { TracePanel } from './tracePanel';
import { type RegenResult, summarizeRegen } from './regen';
import type { ClientState } from './state';

type Target = { unit: string } | { uri: string; position: { line: number; character: number } };

/** Registers the commands (disposed with the extension) and routes the client's regenerations through them. */
export class Commands {
  private readonly graph: GraphPanel;
  private readonly trace: TracePanel;

  constructor(
    context: vscode.ExtensionContext,
    private readonly client: SpeclsClient,
    private readonly state: ClientState,
  ) {
    this.graph = new GraphPanel(context, client.log, () => this.execute<string>(SERVER_COMMANDS.graph, { format: 'mermaid' }));
    this.trace = new TracePanel((arg) => this.execute<string>(SERVER_COMMANDS.trace, { ...arg, format: 'html' }));
    const cmd = (id: string, fn: (...args: unknown[]) => unknown) => context.subscriptions.push(vscode.commands.registerCommand(id, fn));
    cmd('specls.regenerateSection', () => this.regenerateSection());
    cmd('specls.regenerateAllStale', () => this.regenerateStale());
    cmd('specls.stampSection', () => this.stampSection());
    cmd('specls.showSectionOutputs', () => this.showOutputs());
    cmd('specls.showDependencyGraph', () => this.graph.show());
    cmd('specls.showTraceabilityMatrix', () => this.trace.show());
    cmd('specls.restartServer', () => this.client.restart());
    cmd('specls.showServerLog', () => this.client.log.show(true));
    cmd('specls.showProblems', () => showProblems());
    // A requirement's code lens ("3 tasks · 2 files"): editor.action.showReferences' arguments in LSP form.
    cmd('specls.showReferences', (uri, position, locations) =>
      this.showReferences(uri as string, position as LspPosition, locations as LspLocation[]),
    );
    // Code lenses and code actions run regenerations without these commands: same handling.
    client.onRegeneration = (run) => this.regenerating(run);
  }

  /** Runs a regeneration showing it as busy, then reports its result (and offers to overwrite refused sections). */
  private async regenerating(run: () => Promise<RegenResult | undefined>): Promise<RegenResult | undefined> {
    return this.state.busy(async () => {
      const result = await run();
      await this.reportRegen(result);
      return result;
    });
  }

  private async execute<T>(command: string, arg: object): Promise<T | undefined> {
    const client = this.client.running();
    if (!client) return undefined;
    try {
      return (await client.sendRequest(ExecuteCommandRequest.type, { command, arguments: [arg] })) as T;
    } catch (e) {
      const msg = e instanceof Error ? e.message : String(e);
      const log = this.client.log;
      log.error(`${command} failed: ${msg}`);
      void vscode.window.showErrorMessage(`specls: ${command} failed: ${msg}`, 'Show Log').then((a) => a && log.show(true));
      return undefined;
    }
  }

  /** The section at the cursor of the active spec editor. */
  private cursorTarget(): Target | undefined {
    const editor = vscode.window.activeTextEditor;
    if (!editor || editor.document.uri.scheme !== 'file') {
      void vscode.window.showInformationMessage('specls: put the cursor in a spec section or in generated code first.');
      return undefined;
    }
    const pos = editor.selection.active;
    return { uri: editor.document.uri.toString(), position: { line: pos.line, character: pos.character } };
  }

  private async regenerateSection(): Promise<void> {
    const target = this.cursorTarget();
    if (!target) return;
    await this.regenerating(() => this.execute<RegenResult>(SERVER_COMMANDS.regenerate, target));
  }

  private async regenerateStale(): Promise<void> {
    await this.regenerating(() => this.execute<RegenResult>(SERVER_COMMANDS.regenerateStale, {}));
  }

  private async reportRegen(result: RegenResult | undefined): Promise<void> {
    if (!result) return;
    const log = this.client.log;
    const s = summarizeRegen(result);
    log.info(`Regeneration: ${s.message}`);
    if (s.failed.length) {
      void vscode.window.showErrorMessage(`specls: ${s.message}`, 'Show Log').then((a) => a && log.show(true));
    } else if (!s.refused.length) {
      vscode.window.setStatusBarMessage(`$(check) specls: ${s.message}`, 5000);
    }
    if (s.refused.length) {
      const detail = s.refused.map((r) => `${r.unit}: ${r.message}`).join('\n');
      const force = await vscode.window.showWarningMessage(
        `specls: ${s.refused.length} section(s) were not regenerated because their output was edited by hand. Overwrite them? A backup copy is kept.`,
        { modal: true, detail },
        'Overwrite',
      );
      if (force === 'Overwrite') {
        for (const r of s.refused) {
          const again = await this.execute<RegenResult>(SERVER_COMMANDS.regenerate, { unit: r.unit, force: true });
          const s2 = again ? summarizeRegen(again) : undefined;
          if (s2 && (s2.failed.length || s2.refused.length)) void vscode.window.showErrorMessage(`specls: ${s2.message}`);
          else if (s2) vscode.window.setStatusBarMessage(`$(check) specls: ${s2.message}`, 5000);
        }
      }
    }
  }

  private async stampSection(): Promise<void> {
    const target = this.cursorTarget();
    if (!target) return;
    const result = await this.execute<{ stamped?: string[] }>(SERVER_COMMANDS.stamp, target);
    if (!result) return;
    const n = result.stamped?.length ?? 0;
    vscode.window.setStatusBarMessage(n ? `$(check) specls: stamped ${result.stamped?.join(', ')}` : 'specls: nothing to stamp here', 5000);
  }

  private async showReferences(uri: string, position: LspPosition, locations: LspLocation[]): Promise<void> {
    const client = this.client.running();
    if (!client) return;
    const c = client.protocol2CodeConverter;
    await vscode.commands.executeCommand(
      'editor.action.showReferences',
      c.asUri(uri),
      c.asPosition(position),
      locations.map((l) => c.asLocation(l)),
    );
  }

  private async showOutputs(): Promise<void> {
    const target = this.cursorTarget();
    if (!target) return;
    const raw = await this.execute<LspLocation[]>(SERVER_COMMANDS.showOutputs, target);
    if (!raw) return;
    const client = this.client.running();
    if (!client) return;
    const locations = raw.map((l) => client.protocol2CodeConverter.asLocation(l));
    if (locations.length === 0) {
      void vscode.window.showInformationMessage('specls: this section declares no outputs.');
      return;
    }
    let chosen: vscode.Location | undefined = locations[0];
    if (locations.length > 1) {
      const pick = await vscode.window.showQuickPick(
        locations.map((l) => ({ label: vscode.workspace.asRelativePath(l.uri), description: `line ${l.range.start.line + 1}`, location: l })),
        { placeHolder: 'Outputs of this section' },
      );
      chosen = pick?.location;
    }
    if (chosen) await vscode.window.showTextDocument(chosen.uri, { selection: chosen.range });
  }
}

/** specls' diagnostics in a pick list (the status bar item runs it), with a way to the Problems panel. */
async function showProblems(): Promise<void> {
  type Item = vscode.QuickPickItem & { uri?: vscode.Uri; range?: vscode.Range; panel?: boolean };
  const items: Item[] = [];
  for (const [uri, diags] of vscode.languages.getDiagnostics()) {
    for (const d of diags) {
      const code = typeof d.code === 'object' ? String(d.code.value) : d.code !== undefined ? String(d.code) : '';
      if (d.source !== 'specls' && !/^SPEC\d{3}$/.test(code)) continue;
      const icon = d.severity === vscode.DiagnosticSeverity.Error ? '$(error)' : d.severity === vscode.DiagnosticSeverity.Warning ? '$(warning)' : '$(info)';
      items.push({
        label: `${icon} ${d.message.split('\n')[0]}`,
        description: code,
        detail: `${vscode.workspace.asRelativePath(uri)}:${d.range.start.line + 1}`,
        uri,
        range: d.range,
      });
    }
  }
  items.unshift({ label: '$(list-filter) Open the Problems panel', panel: true, alwaysShow: true });
  const pick = await vscode.window.showQuickPick(items, {
    placeHolder: items.length > 1 ? `${items.length - 1} specls problem(s)` : 'No specls problems',
    matchOnDescription: true,
    matchOnDetail: true,
  });
  if (pick?.panel) await vscode.commands.executeCommand('workbench.action.problems.focus');
  else if (pick?.uri) await vscode.window.showTextDocument(pick.uri, { selection: pick.range });
}
