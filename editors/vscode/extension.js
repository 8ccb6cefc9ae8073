// The shapecheck extension: starts `shapecheck server` over stdio for Python files and the Python
// cells of Jupyter notebooks; everything else (diagnostics, hovers, inlay hints, code actions) is
// the server's.
const vscode = require("vscode");
const { LanguageClient } = require("vscode-languageclient/node");

let client;

function activate(context) {
  const [command, ...args] = vscode.workspace.getConfiguration("shapecheck").get("command");
  client = new LanguageClient("shapecheck", "shapecheck", { command, args }, {
    documentSelector: [
      { scheme: "file", language: "python" },
      { scheme: "untitled", language: "python" },
      { notebook: "jupyter-notebook", language: "python" },
    ],
  });
  context.subscriptions.push(client);
  return client.start();
}

function deactivate() {
  return client ? client.stop() : undefined;
}

module.exports = { activate, deactivate };
