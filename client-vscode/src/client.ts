// The language client's lifecycle: the `specls` output channel, finding and
// starting `specls serve`, restarting it (on request, after a crash, when the
// settings that start it change), and telling it the configuration.
import * as vscode from 'vscode';
import {
  CloseAction,
  DidChangeConfigurationNotification,
  ErrorAction,
  LanguageClient,
  type LanguageClientOptions,
  RevealOutputChannelOn,
  type ServerOptions,
  State,
  TransportKind,
} from 'vscode-languageclient/node';
import { answerConfigurationItem, RESTART_SETTINGS } from './config';
import { describeAttempts } from './discovery';
import { ServerFinder } from './python';
import type { RegenResult } from './regen';
import { serverConfig, serverKey } from './settings';
import type { ClientState } from './state';
import type { StatusNotification } from './status';

/** Commands of docs/protocol.md. */
export const SERVER_COMMANDS = {
  regenerate: 'specls.regenerate',
  regenerateStale: 'specls.regenerateStale',
  stamp: 'specls.stamp',
  showOutputs: 'specls.showOutputs',
  graph: 'specls.graph',
  trace: 'specls.trace',
} as const;

/** Wraps a regeneration that runs on the server (to show it as busy and report its result). */
export type RegenerationHandler = (run: () => Promise<RegenResult | undefined>) => Promise<RegenResult | undefined>;

export class SpeclsClient implements vscode.Disposable {
  readonly log: vscode.LogOutputChannel;
  /** Regenerations started from code lenses and code actions go through this. */
  onRegeneration: RegenerationHandler = (run) => run();
  private client: LanguageClient | undefined;
  private starting: Promise<void> | undefined;
  private crashes: number[] = [];
  /** `serverKey()` when the server was last started. */
  private startedWith = '';
  private readonly finder: ServerFinder;
  private readonly subscriptions: vscode.Disposable[] = [];

  constructor(
    private readonly context: vscode.ExtensionContext,
    private readonly state: ClientState,
  ) {
    this.log = vscode.window.createOutputChannel('specls', { log: true });
    this.finder = new ServerFinder(context, this.log, () => void this.restart());
    this.subscriptions.push(
      this.log,
      this.finder,
      vscode.workspace.onDidGrantWorkspaceTrust(() => {
        this.log.info('Workspace trust granted: telling the server generators may run.');
        this.pushConfiguration();
      }),
      vscode.workspace.onDidChangeConfiguration((e) => {
        // Granting trust re-reads restricted settings and reports them changed even when their
        // values are the same: restart only when what starts the server really changed.
        if (RESTART_SETTINGS.some((s) => e.affectsConfiguration(s)) && serverKey() !== this.startedWith) {
          this.log.info('Server settings changed: restarting.');
          void this.restart();
        } else if (e.affectsConfiguration('specls')) {
          this.pushConfiguration();
        }
      }),
    );
  }

  /** The language client when the server runs; else undefined, offering a restart and the log. */
  running(): LanguageClient | undefined {
    if (this.client?.state === State.Running) return this.client;
    void vscode.window.showWarningMessage('specls: the server is not running.', 'Restart Server', 'Show Log').then((a) => {
      if (a === 'Restart Server') void this.restart();
      else if (a === 'Show Log') this.log.show(true);
    });
    return undefined;
  }

  async start(): Promise<void> {
    if (this.starting) return this.starting;
    this.starting = this.doStart().finally(() => (this.starting = undefined));
    return this.starting;
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
    this.state.forgetRoots();
    this.state.setServer('stopped');
  }

  async restart(): Promise<void> {
    this.crashes = [];
    await this.stop();
    await this.start();
  }

  dispose(): void {
    for (const d of this.subscriptions.splice(0)) d.dispose();
  }

  private pushConfiguration(): void {
    if (this.client?.state !== State.Running) return;
    void this.client.sendNotification(DidChangeConfigurationNotification.type, { settings: { specls: serverConfig() } });
  }

  private async doStart(): Promise<void> {
    this.state.setServer('starting');
    this.startedWith = serverKey();
    const found = await this.finder.discover();
    if (!found.ok) {
      this.log.error(`${found.reason}. Tried:\n${describeAttempts(found.attempts)}`);
      this.state.setServer('failed');
      void this.offerInstall(found.reason);
      return;
    }
    const server = found.server;
    this.log.info(`Starting ${server.command} ${server.args.join(' ')} (found via ${server.source})`);
    const serverOptions: ServerOptions = {
      command: server.command,
      args: server.args,
      transport: TransportKind.stdio,
      options: { cwd: vscode.workspace.workspaceFolders?.[0]?.uri.fsPath, env: { ...process.env, ...server.env } },
    };
    const client = new LanguageClient('specls', 'specls', serverOptions, this.clientOptions());
    this.client = client;
    client.onDidChangeState((e) => {
      if (client !== this.client) return;
      if (e.newState === State.Running) this.state.setServer('running');
      else if (e.newState === State.Starting) this.state.setServer('starting');
      else if (this.state.server !== 'failed') this.state.setServer('stopped');
    });
    client.onNotification('specls/status', (p: StatusNotification) => this.state.onStatus(p));
    try {
      await client.start();
      this.state.setServer('running');
    } catch (e) {
      this.log.error(`The specls server failed to start: ${String(e)}`);
      this.state.setServer('failed');
      void vscode.window
        .showErrorMessage(`specls: the server (${server.command}) failed to start.`, 'Show Log', 'How to Install')
        .then((a) => this.onNotFoundAction(a));
    }
  }

  private clientOptions(): LanguageClientOptions {
    return {
      // Broad on purpose: spec files in every layout and every output the
      // lock names (which change as specs are edited) get hover, definition
      // and code lenses without restarting the client. The server ignores
      // files it does not own; completion is only asked for in Markdown.
      documentSelector: [{ scheme: 'file' }],
      diagnosticCollectionName: 'specls',
      outputChannel: this.log,
      traceOutputChannel: this.log,
      revealOutputChannelOn: RevealOutputChannelOn.Never,
      initializationOptions: serverConfig(),
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
          this.state.setServer('failed');
          return {
            action: CloseAction.DoNotRestart,
            message: 'The specls server crashed 5 times in 3 minutes and will not be restarted. See the specls output channel; "specls: Restart Server" starts it again.',
          };
        },
      },
      middleware: {
        workspace: {
          configuration: async (params, token, next) => {
            const config = serverConfig();
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
            return this.onRegeneration(async () => (await next(command, args)) as RegenResult | undefined);
          }
          return next(command, args);
        },
      },
    };
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
}
