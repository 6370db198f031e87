// Starts `cexpert lsp` (stdio) for .cex files; the command is the setting cexpert.command.
const vscode = require("vscode");
const { LanguageClient } = require("vscode-languageclient/node");

let client;

function activate(context) {
  const [command, ...args] = vscode.workspace.getConfiguration("cexpert").get("command");
  const cwd = vscode.workspace.workspaceFolders?.[0]?.uri.fsPath;
  client = new LanguageClient(
    "cexpert", "cexpert rules",
    { command, args, options: { cwd } },
    { documentSelector: [{ scheme: "file", language: "cex" }] },
  );
  context.subscriptions.push(client);
  return client.start();
}

function deactivate() {
  return client?.stop();
}

module.exports = { activate, deactivate };
