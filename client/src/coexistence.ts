// Other PostgreSQL extensions that already report syntax errors in .sql files: Supabase's Postgres
// language server and squawk's. The server is told which are installed and enabled (at start and
// whenever extensions change) and leaves those errors to them (server/src/core/coexistence.ts).

import * as vscode from 'vscode';

interface Peer {
  id: string;
  name: string;
  /** Its own "enabled" setting, when it has one: switched off, it reports nothing. */
  enabledSetting?: string;
}

const PEERS: Peer[] = [
  { id: 'supabase.postgrestools', name: 'Postgres Language Server', enabledSetting: 'postgres-language-server.enabled' },
  { id: 'sbdchd.squawk', name: 'Squawk' },
];

/** The display names of the peers installed and enabled. */
export function installedPeers(): string[] {
  return PEERS.filter(
    (peer) => vscode.extensions.getExtension(peer.id) && (!peer.enabledSetting || vscode.workspace.getConfiguration().get(peer.enabledSetting) !== false),
  ).map((peer) => peer.name);
}

/** Calls `changed` with the new list whenever it changes. */
export function watchPeers(changed: (peers: string[]) => void): vscode.Disposable {
  let last = installedPeers().join(',');
  const check = () => {
    const peers = installedPeers();
    if (peers.join(',') === last) return;
    last = peers.join(',');
    changed(peers);
  };
  return vscode.Disposable.from(
    vscode.extensions.onDidChange(check),
    vscode.workspace.onDidChangeConfiguration((event) => {
      if (PEERS.some((peer) => peer.enabledSetting && event.affectsConfiguration(peer.enabledSetting))) check();
    }),
  );
}
