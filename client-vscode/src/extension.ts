// The VS Code side of specls: starts `specls serve`, binds the commands of
// docs/protocol.md to the palette, menus and status bar. Everything that can be
// decided without VS Code lives in the sibling modules (unit-tested under node).
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import * as vscode from 'vscode';
import {
  CloseAction,
  DidChangeConfigurationNotification,
  ErrorAction,
  ExecuteCommandRequest,
  LanguageClient,
  type LanguageClientOptions,
  type Location as LspLocation,
  RevealOutputChannelOn,
  type ServerOptions,
  State,
  TransportKind,
} from 'vscode-languageclient/node';
import { answerConfigurationItem, RESTART_SETTINGS, type RawSettings, serverArgs, serverPath, toServerConfig } from './config';
import { describeAttempts, type Discovery, discoverServer } from './discovery';
import { graphHtml, graphMarkdown, makeNonce } from './graph';
import { nodeProbe } from './probe';
import { type RegenResult, summarizeRegen } from './regen';
import { isSpecPath, normalizeUri, outputSet } from './specFiles';
import { type ServerState, type StatusNotification, statusBarModel } from './status';

const SERVER_COMMANDS = {
  regenerate: 'specls.regenerate',
  regenerateStale: 'specls.regenerateStale',
  stamp: 'specls.stamp',
  showOutputs: 'specls.showOutputs',
  graph: 'specls.graph',
} as const;

type Target = { unit: string } | { uri: string; position: { line: number; character: number } };

let controller: Controller | undefined;

export async function activate(context: vscode.ExtensionContext): Promise<void> {
  controller = new Controller(context);
  await controller.activate();
}

export async function deactivate(): Promise<void> {
  await controller?.stop();
  controller = undefined;
}

class Controller {
  private client: LanguageClient | undefined;
  private readonly log: vscode.LogOutputChannel;
  private readonly statusItem: vscode.StatusBarItem;
  private serverState: ServerState = 'stopped';
  private readonly roots = new Map<string, StatusNotification>();
  private outputs = new Set<string>();
  private regenerating = 0;
  private graphPanel: vscode.WebviewPanel | undefined;
  private starting: Promise<void> | undefined;
  private crashes: number[] = [];
  private watchingPython = false;
  /** `serverKey()` when the server was last started. */
  private startedWith = '';

  constructor(private readonly context: vscode.ExtensionContext) {
    this.log = vscode.window.createOutputChannel('specls', { log: true });
    this.statusItem = vscode.window.createStatusBarItem('specls.status', vscode.StatusBarAlignment.Left, 0);
    this.statusItem.name = 'specls';
    context.subscriptions.push(this.log, this.statusItem);
  }

  async activate(): Promise<void> {
    const sub = this.context.subscriptions;
    const cmd = (id: string, fn: (...args: unknown[]) => unknown) => sub.push(vscode.commands.registerCommand(id, fn));
    cmd('specls.regenerateSection', () => this.regenerateSection());
    cmd('specls.regenerateAllStale', () => this.regenerateStale());
    cmd('specls.stampSection', () => this.stampSection());
    cmd('specls.showSectionOutputs', () => this.showOutputs());
    cmd('specls.showDependencyGraph', () => this.showGraph());
    cmd('specls.restartServer', () => this.restart());
    cmd('specls.showServerLog', () => this.log.show(true));
    cmd('specls.showProblems', () => this.showProblems());

    sub.push(
      vscode.window.onDidChangeActiveTextEditor(() => this.updateContextKeys()),
      vscode.workspace.onDidGrantWorkspaceTrust(() => {
        this.log.info('Workspace trust granted: telling the server generators may run.');
        this.pushConfiguration();
        this.renderStatus();
      }),
      vscode.workspace.onDidChangeConfiguration((e) => {
        // Granting trust re-reads restricted settings and reports them changed even when their
        // values are the same: restart only when what starts the server really changed.
        if (RESTART_SETTINGS.some((s) => e.affectsConfiguration(s)) && this.serverKey() !== this.startedWith) {
          this.log.info('Server settings changed: restarting.');
          void this.restart();
        } else if (e.affectsConfiguration('specls')) {
          this.pushConfiguration();
          this.renderStatus();
        }
      }),
    );
    this.updateContextKeys();
    this.renderStatus();
    await this.start();
  }

  // ---- settings -----------------------------------------------------------

  private rawSettings(): RawSettings {
    const c = vscode.workspace.getConfiguration('specls');
    return {
      server: { path: c.get('server.path'), args: c.get('server.args') },
      generators: { allow: c.get('generators.allow') },
      debounce: c.get('debounce'),
    };
  }

  private serverKey(): string {
    const settings = this.rawSettings();
    return JSON.stringify([serverPath(settings), serverArgs(settings)]);
  }

  private serverConfig() {
    return toServerConfig(this.rawSettings(), vscode.workspace.isTrusted);
  }

  private pushConfiguration(): void {
    if (this.client?.state !== State.Running) return;
    void this.client.sendNotification(DidChangeConfigurationNotification.type, {
      settings: { specls: this.serverConfig() },
    });
  }

  // ---- server lifecycle ---------------------------------------------------

  private async pythonInterpreter(): Promise<string | undefined> {
    const ext = vscode.extensions.getExtension('ms-python.python');
    if (!ext) return undefined;
    try {
      // The Python extension's public API (@vscode/python-extension), typed loosely on purpose.
      const api = (ext.isActive ? ext.exports : await ext.activate()) as PythonApi | undefined;
      if (api?.environments?.onDidChangeActiveEnvironmentPath && !this.watchingPython) {
        this.watchingPython = true;
        this.context.subscriptions.push(
          api.environments.onDidChangeActiveEnvironmentPath(() => {
            if (serverPath(this.rawSettings())) return; // an explicit path wins anyway
            this.log.info('The Python extension changed the active interpreter: restarting.');
            void this.restart();
          }),
        );
      }
      const folder = vscode.workspace.workspaceFolders?.[0]?.uri;
      const envPath = api?.environments?.getActiveEnvironmentPath(folder);
      if (envPath) {
        const env = await api?.environments?.resolveEnvironment(envPath);
        const exe = env?.executable?.uri?.fsPath;
        if (exe) return exe;
      }
      const details = api?.settings?.getExecutionDetails?.(folder);
      return details?.execCommand?.[0];
    } catch (e) {
      this.log.warn(`Could not ask the Python extension for its interpreter: ${String(e)}`);
      return undefined;
    }
  }

  private async discover(): Promise<Discovery> {
    const settings = this.rawSettings();
    const bundled = path.join(this.context.extensionPath, 'bundled', 'libs');
    return discoverServer(
      {
        settingPath: serverPath(settings),
        extraArgs: serverArgs(settings),
        pythonInterpreter: await this.pythonInterpreter(),
        bundledLibs: fs.existsSync(path.join(bundled, 'specls')) ? bundled : undefined,
        workspaceFolder: vscode.workspace.workspaceFolders?.[0]?.uri.fsPath,
        homeDir: os.homedir(),
        platform: process.platform,
      },
      nodeProbe(),
    );
  }

  async start(): Promise<void> {
    if (this.starting) return this.starting;
    this.starting = this.doStart().finally(() => (this.starting = undefined));
    return this.starting;
  }

  private async doStart(): Promise<void> {
    this.setServerState('starting');
    this.startedWith = this.serverKey();
    const found = await this.discover();
    if (!found.ok) {
      this.log.error(`${found.reason}. Tried:\n${describeAttempts(found.attempts)}`);
      this.setServerState('failed');
      void this.offerInstall(found.reason);
      return;
    }
    const server = found.server;
    this.log.info(`Starting ${server.command} ${server.args.join(' ')} (found via ${server.source})`);
    const cwd = vscode.workspace.workspaceFolders?.[0]?.uri.fsPath;
    const serverOptions: ServerOptions = {
      command: server.command,
      args: server.args,
      transport: TransportKind.stdio,
      options: { cwd, env: { ...process.env, ...server.env } },
    };
    const clientOptions: LanguageClientOptions = {
      // Broad on purpose: spec files in every layout and every output the
      // lock names (which change as specs are edited) get hover, definition
      // and code lenses without restarting the client. The server ignores
      // files it does not own; completion is only asked for in Markdown.
      documentSelector: [{ scheme: 'file' }],
      diagnosticCollectionName: 'specls',
      outputChannel: this.log,
      traceOutputChannel: this.log,
      revealOutputChannelOn: RevealOutputChannelOn.Never,
      initializationOptions: this.serverConfig(),
      synchronize: {
        fileEvents: [
          vscode.workspace.createFileSystemWatcher('**/spec.lock'),
          vscode.workspace.createFileSystemWatcher('**/specls.toml'),
          vscode.workspace.createFileSystemWatcher('**/pyproject.toml'),
        ],
      },
      errorHandler: {
        error: () => ({ action: ErrorAction.Continue }),
        closed: () => {
          // Like vscode-languageclient's default: restart after a crash, unless it keeps crashing.
          const now = Date.now();
          this.crashes = [...this.crashes.filter((t) => now - t < 3 * 60_000), now];
          if (this.crashes.length <= 4) {
            this.log.warn(`The specls server stopped unexpectedly; restarting (${this.crashes.length}/4 in 3 minutes).`);
            return { action: CloseAction.Restart, handled: true };
          }
          this.setServerState('failed');
          return {
            action: CloseAction.DoNotRestart,
            message: 'The specls server crashed 5 times in 3 minutes and will not be restarted. See the specls output channel; "specls: Restart Server" starts it again.',
          };
        },
      },
      middleware: {
        workspace: {
          configuration: async (params, token, next) => {
            const config = this.serverConfig();
            const answers = await next(params, token);
            if (!Array.isArray(answers)) return answers;
            return params.items.map((item, i) => answerConfigurationItem(item.section, config) ?? answers[i]);
          },
        },
        provideCompletionItem: (document, position, context, token, next) => {
          if (document.languageId !== 'markdown') return undefined;
          return next(document, position, context, token);
        },
        // Commands invoked from code lenses and code actions.
        executeCommand: async (command, args, next) => {
          if (command === SERVER_COMMANDS.regenerate || command === SERVER_COMMANDS.regenerateStale) {
            return this.withBusy(async () => {
              const result = (await next(command, args)) as RegenResult | undefined;
              await this.reportRegen(result);
              return result;
            });
          }
          return next(command, args);
        },
      },
    };
    const client = new LanguageClient('specls', 'specls', serverOptions, clientOptions);
    this.client = client;
    client.onDidChangeState((e) => {
      if (client !== this.client) return;
      if (e.newState === State.Running) this.setServerState('running');
      else if (e.newState === State.Starting) this.setServerState('starting');
      else if (this.serverState !== 'failed') this.setServerState('stopped');
    });
    client.onNotification('specls/status', (p: StatusNotification) => this.onStatus(p));
    try {
      await client.start();
      this.setServerState('running');
    } catch (e) {
      this.log.error(`The specls server failed to start: ${String(e)}`);
      this.setServerState('failed');
      void vscode.window
        .showErrorMessage(`specls: the server (${server.command}) failed to start.`, 'Show Log', 'How to Install')
        .then((a) => this.onNotFoundAction(a));
    }
  }

  async stop(): Promise<void> {
    const client = this.client;
    this.client = undefined;
    if (client) {
      try {
        await client.stop(5000);
      } catch (e) {
        this.log.warn(`Stopping the server: ${String(e)}`);
      }
      await client.dispose().catch(() => undefined);
    }
    this.roots.clear();
    this.setServerState('stopped');
  }

  async restart(): Promise<void> {
    this.crashes = [];
    await this.stop();
    await this.start();
  }

  private async offerInstall(reason: string): Promise<void> {
    const action = await vscode.window.showErrorMessage(
      `specls: ${reason}. Install it with \`pipx install specls\` (or \`pip install specls\` in your project's environment), or set "specls.server.path".`,
      'How to Install',
      'Set Server Path',
      'Show Log',
    );
    await this.onNotFoundAction(action);
  }

  private async onNotFoundAction(action: string | undefined): Promise<void> {
    if (action === 'How to Install') {
      const readme = vscode.Uri.joinPath(this.context.extensionUri, 'README.md');
      await vscode.commands.executeCommand('markdown.showPreview', readme);
    } else if (action === 'Set Server Path') {
      await vscode.commands.executeCommand('workbench.action.openSettings', 'specls.server.path');
    } else if (action === 'Show Log') {
      this.log.show(true);
    }
  }

  // ---- status ---------------------------------------------------------------

  private onStatus(p: StatusNotification): void {
    this.roots.set(p.root ?? '', p);
    this.outputs = outputSet([...this.roots.values()].map((r) => r.outputs));
    this.updateContextKeys();
    this.renderStatus();
  }

  private setServerState(s: ServerState): void {
    this.serverState = s;
    void vscode.commands.executeCommand('setContext', 'specls.serverRunning', s === 'running');
    this.renderStatus();
  }

  private renderStatus(): void {
    if (!vscode.workspace.getConfiguration('specls').get<boolean>('statusBar.enable', true)) {
      this.statusItem.hide();
      return;
    }
    const m = statusBarModel({
      server: this.serverState,
      roots: [...this.roots.values()],
      regenerating: this.regenerating > 0,
      trusted: vscode.workspace.isTrusted,
    });
    this.statusItem.text = m.text;
    this.statusItem.tooltip = m.tooltip;
    this.statusItem.backgroundColor =
      m.level === 'error' ? new vscode.ThemeColor('statusBarItem.errorBackground') : m.level === 'warning' ? new vscode.ThemeColor('statusBarItem.warningBackground') : undefined;
    this.statusItem.command = m.level === 'error' ? 'specls.showServerLog' : 'specls.showProblems';
    this.statusItem.show();
  }

  private updateContextKeys(): void {
    const doc = vscode.window.activeTextEditor?.document;
    const isSpec = !!doc && doc.uri.scheme === 'file' && doc.languageId === 'markdown' && isSpecPath(doc.uri.path);
    const isOutput = !!doc && this.outputs.has(normalizeUri(doc.uri.toString()));
    void vscode.commands.executeCommand('setContext', 'specls.specFileActive', isSpec);
    void vscode.commands.executeCommand('setContext', 'specls.outputFileActive', isOutput);
  }

  private async withBusy<T>(fn: () => Promise<T>): Promise<T> {
    this.regenerating++;
    this.renderStatus();
    try {
      return await fn();
    } finally {
      this.regenerating--;
      this.renderStatus();
    }
  }

  // ---- commands ---------------------------------------------------------------

  private runningClient(): LanguageClient | undefined {
    if (this.client?.state === State.Running) return this.client;
    void vscode.window.showWarningMessage('specls: the server is not running.', 'Restart Server', 'Show Log').then((a) => {
      if (a === 'Restart Server') void this.restart();
      else if (a === 'Show Log') this.log.show(true);
    });
    return undefined;
  }

  private async execute<T>(command: string, arg: object): Promise<T | undefined> {
    const client = this.runningClient();
    if (!client) return undefined;
    try {
      return (await client.sendRequest(ExecuteCommandRequest.type, { command, arguments: [arg] })) as T;
    } catch (e) {
      const msg = e instanceof Error ? e.message : String(e);
      this.log.error(`${command} failed: ${msg}`);
      void vscode.window.showErrorMessage(`specls: ${command} failed: ${msg}`, 'Show Log').then((a) => a && this.log.show(true));
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
    await this.withBusy(async () => {
      const result = await this.execute<RegenResult>(SERVER_COMMANDS.regenerate, target);
      await this.reportRegen(result);
    });
  }

  private async regenerateStale(): Promise<void> {
    await this.withBusy(async () => {
      const result = await this.execute<RegenResult>(SERVER_COMMANDS.regenerateStale, {});
      await this.reportRegen(result);
    });
  }

  private async reportRegen(result: RegenResult | undefined): Promise<void> {
    if (!result) return;
    const s = summarizeRegen(result);
    this.log.info(`Regeneration: ${s.message}`);
    if (s.failed.length) {
      void vscode.window.showErrorMessage(`specls: ${s.message}`, 'Show Log').then((a) => a && this.log.show(true));
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

  private async showOutputs(): Promise<void> {
    const target = this.cursorTarget();
    const client = this.client;
    if (!target || !client) return;
    const raw = await this.execute<LspLocation[]>(SERVER_COMMANDS.showOutputs, target);
    if (!raw) return;
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

  private async showGraph(): Promise<void> {
    const source = await this.execute<string>(SERVER_COMMANDS.graph, { format: 'mermaid' });
    if (typeof source !== 'string') return;
    const media = vscode.Uri.joinPath(this.context.extensionUri, 'media');
    if (!this.graphPanel) {
      this.graphPanel = vscode.window.createWebviewPanel('specls.graph', 'specls: Dependency Graph', vscode.ViewColumn.Beside, {
        enableScripts: true,
        localResourceRoots: [media],
      });
      this.graphPanel.onDidDispose(() => (this.graphPanel = undefined));
      this.graphPanel.webview.onDidReceiveMessage(async (m: { command?: string; message?: string }) => {
        if (m.command === 'refresh') await this.showGraph();
        else if (m.command === 'copy') await vscode.env.clipboard.writeText(this.graphSource);
        else if (m.command === 'markdown') {
          const doc = await vscode.workspace.openTextDocument({ language: 'markdown', content: graphMarkdown(this.graphSource) });
          await vscode.window.showTextDocument(doc);
        } else if (m.command === 'renderFailed') this.log.warn(`Graph rendering failed: ${m.message}`);
      });
    }
    this.graphSource = source;
    const webview = this.graphPanel.webview;
    const dark = [vscode.ColorThemeKind.Dark, vscode.ColorThemeKind.HighContrast].includes(vscode.window.activeColorTheme.kind);
    webview.html = graphHtml({
      cspSource: webview.cspSource,
      mermaidUri: webview.asWebviewUri(vscode.Uri.joinPath(media, 'mermaid.min.js')).toString(),
      source,
      nonce: makeNonce(),
      theme: dark ? 'dark' : 'default',
    });
    this.graphPanel.reveal(undefined, true);
  }
  private graphSource = '';

  private async showProblems(): Promise<void> {
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
}

interface PythonApi {
  environments?: {
    getActiveEnvironmentPath(resource?: vscode.Uri): { path: string } | undefined;
    onDidChangeActiveEnvironmentPath?: vscode.Event<unknown>;
    resolveEnvironment(env: { path: string } | string): Promise<{ executable?: { uri?: vscode.Uri } } | undefined>;
  };
  settings?: { getExecutionDetails?(resource?: vscode.Uri): { execCommand?: string[] } };
}
