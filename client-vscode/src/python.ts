// Finding the server from inside VS Code: the inputs of the pure `discoverServer`
// (settings, the Python extension's interpreter, the bundled server, the workspace
// folder), and a restart when the Python extension switches interpreter.
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import * as vscode from 'vscode';
import { serverArgs, serverPath } from './config';
import { type Discovery, discoverServer } from './discovery';
import { nodeProbe } from './probe';
import { rawSettings } from './settings';

/** The Python extension's public API (@vscode/python-extension), typed loosely on purpose. */
interface PythonApi {
  environments?: {
    getActiveEnvironmentPath(resource?: vscode.Uri): { path: string } | undefined;
    onDidChangeActiveEnvironmentPath?: vscode.Event<unknown>;
    resolveEnvironment(env: { path: string } | string): Promise<{ executable?: { uri?: vscode.Uri } } | undefined>;
  };
  settings?: { getExecutionDetails?(resource?: vscode.Uri): { execCommand?: string[] } };
}

export class ServerFinder implements vscode.Disposable {
  private watching: vscode.Disposable | undefined;

  /** `onInterpreterChanged` runs when the Python extension selects another interpreter and no explicit path is set. */
  constructor(
    private readonly context: vscode.ExtensionContext,
    private readonly log: vscode.LogOutputChannel,
    private readonly onInterpreterChanged: () => void,
  ) {}

  async discover(): Promise<Discovery> {
    const settings = rawSettings();
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

  dispose(): void {
    this.watching?.dispose();
    this.watching = undefined;
  }

  private async pythonInterpreter(): Promise<string | undefined> {
    const ext = vscode.extensions.getExtension('ms-python.python');
    if (!ext) return undefined;
    try {
      const api = (ext.isActive ? ext.exports : await ext.activate()) as PythonApi | undefined;
      if (api?.environments?.onDidChangeActiveEnvironmentPath && !this.watching) {
        this.watching = api.environments.onDidChangeActiveEnvironmentPath(() => {
          if (serverPath(rawSettings())) return; // an explicit path wins anyway
          this.log.info('The Python extension changed the active interpreter: restarting.');
          this.onInterpreterChanged();
        });
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
}
