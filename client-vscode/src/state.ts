// What the client knows about the server, in one place: its process state, the
// latest `specls/status` of each root and how many regenerations this client
// runs. The status bar and the context keys render it; the client and the
// commands update it. No `vscode`, so the status-driven decisions are unit-tested.
import { isSpecFile, normalizeUri, outputSet } from './specFiles';
import type { ServerState, StatusInput, StatusNotification } from './status';

export class ClientState {
  private serverState: ServerState = 'stopped';
  private readonly roots = new Map<string, StatusNotification>();
  private outputs = new Set<string>();
  private regenerating = 0;
  private readonly listeners = new Set<() => void>();

  get server(): ServerState {
    return this.serverState;
  }

  /** Calls `fn` after every change; returns what unsubscribes it. */
  onDidChange(fn: () => void): { dispose(): void } {
    this.listeners.add(fn);
    return { dispose: () => this.listeners.delete(fn) };
  }

  setServer(s: ServerState): void {
    this.serverState = s;
    this.changed();
  }

  /** A `specls/status` notification: replaces what the root said before. */
  onStatus(p: StatusNotification): void {
    this.roots.set(p.root ?? '', p);
    this.outputs = outputSet([...this.roots.values()].map((r) => r.outputs));
    this.changed();
  }

  /** The server stopped: what its roots said no longer holds. */
  forgetRoots(): void {
    this.roots.clear();
    this.outputs = new Set();
    this.changed();
  }

  /** Runs `fn` with the status bar showing a regeneration. */
  async busy<T>(fn: () => Promise<T>): Promise<T> {
    this.regenerating++;
    this.changed();
    try {
      return await fn();
    } finally {
      this.regenerating--;
      this.changed();
    }
  }

  /** See `isSpecFile`: undefined until the root of the file reported its globs. */
  isSpec(uri: string): boolean | undefined {
    return isSpecFile(uri, this.roots.values());
  }

  /** The server named the file as the output of some section. */
  isOutput(uri: string): boolean {
    return this.outputs.has(normalizeUri(uri));
  }

  statusInput(trusted: boolean): StatusInput {
    return { server: this.serverState, roots: [...this.roots.values()], regenerating: this.regenerating > 0, trusted };
  }

  private changed(): void {
    for (const fn of [...this.listeners]) fn();
  }
}
