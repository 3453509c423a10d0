/**
 * Activation: wires the modules to VS Code and to one language client.
 *
 * This is the only module that imports `vscode` and `vscode-languageclient`
 * at run time; every other module receives the slice of the API it needs, so
 * its logic runs under mocha with a typed fake (see test/fakeVscode.ts).
 */
import * as vscode from 'vscode';
import { CloseAction, ErrorAction, LanguageClient, type LanguageClientOptions, RevealOutputChannelOn, State } from 'vscode-languageclient/node';
import { aiRegionNotifications } from './aiEdits';
import { type CommandDeps, markRegionReviewed, openRuleDocumentation, scanWorkspace, showAiRegions, toggleScope } from './commands';
import { CLIENT_ID, CLIENT_NAME, COMMANDS, CONTEXT_KEYS, DIAGNOSTIC_SOURCE, LANGUAGES, METHODS, RULE_DOC_SCHEME, SECTION, SETTINGS } from './constants';
import { type MarkAiRegionParams } from './protocol';
import {
  type PythonExtensionApi,
  findInterpreter,
  interpreterCandidates,
  loadPythonExtension,
  problemMessage,
  processRunner,
} from './python';
import { RegionDecorations, RegionFetcher, unreviewedLineNumbers, unreviewedRegions } from './regions';
import { type ClientLike, ServerController } from './server';
import { type ExtensionSettings, classifyChange, readSettings, toServerOptions } from './settings';
import { type ServerState, StatusBar } from './status';

let controller: ServerController | undefined;

export function activate(context: vscode.ExtensionContext): void {
  const output = vscode.window.createOutputChannel(CLIENT_NAME, { log: true });
  context.subscriptions.push(output);
  const log = (message: string): void => output.info(message);
  const readCurrentSettings = (): ExtensionSettings => readSettings(vscode.workspace.getConfiguration(SECTION), (warning) => output.warn(warning));
  let settings = readCurrentSettings();
  let python: PythonExtensionApi | undefined;
  let serverState: { state: ServerState; problem?: { text: string; interpreter: boolean } } = { state: 'stopped' };
  let activeClient: ClientLike | undefined;
  let regionsChanged: vscode.Disposable | undefined;

  const status = new StatusBar(vscode);
  const decorations = new RegionDecorations(vscode, vscode.Uri.joinPath(context.extensionUri, 'media', 'ai-region.svg'));
  context.subscriptions.push(status, decorations);

  const isOurs = (document: vscode.TextDocument): boolean => (LANGUAGES as readonly string[]).includes(document.languageId);

  const updateContextKeys = (): void => {
    const editor = vscode.window.activeTextEditor;
    const regions = editor === undefined ? [] : decorations.regions(editor.document.uri.toString());
    void vscode.commands.executeCommand('setContext', CONTEXT_KEYS.unreviewedLines, unreviewedLineNumbers(regions));
    void vscode.commands.executeCommand('setContext', CONTEXT_KEYS.hasUnreviewedRegion, unreviewedRegions(regions).length > 0);
  };

  const updateStatus = (): void => {
    const editor = vscode.window.activeTextEditor;
    const file =
      editor !== undefined && isOurs(editor.document)
        ? {
            unreviewedRegions: fetcher.isSupported ? unreviewedRegions(decorations.regions(editor.document.uri.toString())).length : undefined,
            findings: vscode.languages.getDiagnostics(editor.document.uri).filter((d) => d.source === DIAGNOSTIC_SOURCE).length,
          }
        : undefined;
    status.show({
      server: serverState.state,
      scope: settings.scope,
      ...(serverState.problem !== undefined ? { problem: serverState.problem.text, interpreterProblem: serverState.problem.interpreter } : {}),
      ...(file !== undefined ? { file } : {}),
    });
  };

  const fetcher = new RegionFetcher(
    (uri) => activeClient?.sendRequest<unknown>(METHODS.regions, { uri }) ?? Promise.resolve([]),
    (uri, regions) => {
      decorations.set(uri, regions);
      updateContextKeys();
      updateStatus();
    },
    log,
  );

  const refreshVisible = (): void => {
    for (const editor of vscode.window.visibleTextEditors) {
      if (isOurs(editor.document)) {
        void fetcher.refresh(editor.document.uri.toString());
      }
    }
  };

  const ruleDocs = new Map<string, string>();
  context.subscriptions.push(
    vscode.workspace.registerTextDocumentContentProvider(RULE_DOC_SCHEME, {
      provideTextDocumentContent: (uri) => ruleDocs.get(uri.path.replace(/^\//, '').replace(/\.md$/, '')) ?? 'Documentation not loaded; run "draftguard: Open Rule Documentation" again.',
    }),
  );

  const clientOptions = (): LanguageClientOptions => ({
    documentSelector: LANGUAGES.flatMap((language) => [
      { scheme: 'file', language },
      { scheme: 'untitled', language },
    ]),
    outputChannel: output,
    revealOutputChannelOn: RevealOutputChannelOn.Never,
    middleware: {
      didChange: async (event, next) => {
        // Ranges are computed now, while the document is exactly in its post-change state.
        const marks: MarkAiRegionParams[] = aiRegionNotifications(event);
        await next(event);
        for (const mark of marks) {
          await activeClient?.sendNotification(METHODS.markAiRegion, mark);
        }
      },
      workspace: {
        configuration: async (params, token, next) => {
          const answer = await next(params, token);
          if (!Array.isArray(answer)) {
            return answer;
          }
          return params.items.map((item, index) =>
            item.section === SECTION
              ? toServerOptions(readSettings(vscode.workspace.getConfiguration(SECTION, item.scopeUri !== undefined ? vscode.Uri.parse(item.scopeUri) : undefined)))
              : (answer[index] as unknown),
          );
        },
      },
    },
  });

  controller = new ServerController({
    findInterpreter: async (current) => {
      python ??= await loadPythonExtension(vscode.extensions, log);
      const candidates = await interpreterCandidates({
        setting: current.interpreter,
        python,
        trusted: vscode.workspace.isTrusted,
        platform: process.platform,
        ...(vscode.workspace.workspaceFolders?.[0] !== undefined ? { resource: vscode.workspace.workspaceFolders[0].uri } : {}),
        log,
      });
      return findInterpreter(candidates, processRunner(context.extensionUri.fsPath));
    },
    createClient: (serverOptions, options) => new LanguageClient(CLIENT_ID, CLIENT_NAME, serverOptions, options),
    enums: { CloseAction, ErrorAction, State },
    clientOptions,
    settings: () => settings,
    cwd: () => vscode.workspace.workspaceFolders?.[0]?.uri.fsPath ?? context.extensionUri.fsPath,
    events: {
      onState: (state, problem) => {
        serverState = problem === undefined ? { state } : { state, problem };
        updateStatus();
      },
      showInterpreterProblem: (problem) => {
        const message = problemMessage(problem);
        const actions = ['Open Setting', ...(python !== undefined ? ['Select Interpreter'] : []), ...(message.installCommand !== undefined ? ['Copy Install Command'] : [])];
        void vscode.window.showErrorMessage(message.text, ...actions).then(async (choice) => {
          if (choice === 'Open Setting') {
            await vscode.commands.executeCommand('workbench.action.openSettings', `${SECTION}.${SETTINGS.interpreter}`);
          } else if (choice === 'Select Interpreter') {
            await vscode.commands.executeCommand('python.setInterpreter');
          } else if (choice === 'Copy Install Command' && message.installCommand !== undefined) {
            await vscode.env.clipboard.writeText(message.installCommand);
          }
        });
      },
      showCrash: (message) => {
        void vscode.window.showErrorMessage(message, 'Show Output', 'Restart').then((choice) => {
          if (choice === 'Show Output') {
            output.show();
          } else if (choice === 'Restart') {
            void controller?.restart(true);
          }
        });
      },
      onStarted: (client) => {
        activeClient = client;
        fetcher.reset();
        regionsChanged?.dispose();
        regionsChanged = client.onNotification(METHODS.regionsChanged, (params) => {
          const uri = typeof params === 'object' && params !== null ? (params as { uri?: unknown }).uri : undefined;
          if (typeof uri === 'string') {
            void fetcher.refresh(uri);
          }
        });
        refreshVisible();
      },
      onStopped: () => {
        activeClient = undefined;
        decorations.clearAll();
        updateContextKeys();
      },
      log,
    },
  });

  const deps: CommandDeps = {
    host: vscode,
    client: () => controller?.running,
    regions: (uri) => decorations.regions(uri),
    refreshRegions: (uri) => fetcher.refresh(uri),
    regionsSupported: () => fetcher.isSupported,
    ruleDocs: {
      show: async (ruleId, markdown) => {
        ruleDocs.set(ruleId, markdown);
        const uri = vscode.Uri.from({ scheme: RULE_DOC_SCHEME, path: `/${ruleId}.md` });
        try {
          await vscode.commands.executeCommand('markdown.showPreview', uri);
        } catch {
          await vscode.window.showTextDocument(await vscode.workspace.openTextDocument(uri), { preview: true });
        }
      },
    },
    log,
  };

  context.subscriptions.push(
    vscode.commands.registerCommand(COMMANDS.restart, () => controller?.restart(true)),
    vscode.commands.registerCommand(COMMANDS.showOutput, () => output.show()),
    vscode.commands.registerCommand(COMMANDS.markRegionReviewed, (...args: unknown[]) => markRegionReviewed(deps, args)),
    vscode.commands.registerCommand(COMMANDS.showAiRegions, () => showAiRegions(deps)),
    vscode.commands.registerCommand(COMMANDS.scanWorkspace, () => scanWorkspace(deps)),
    vscode.commands.registerCommand(COMMANDS.toggleScope, () => toggleScope(deps)),
    vscode.commands.registerCommand(COMMANDS.openRuleDocumentation, (...args: unknown[]) => openRuleDocumentation(deps, args)),
    vscode.window.onDidChangeActiveTextEditor((editor) => {
      updateContextKeys();
      updateStatus();
      if (editor !== undefined && isOurs(editor.document)) {
        void fetcher.refresh(editor.document.uri.toString());
      }
    }),
    vscode.window.onDidChangeVisibleTextEditors((editors) => decorations.render(editors)),
    // The server re-analyses after every change and then publishes (push) or is
    // asked for (pull) diagnostics; either way this event follows, and regions
    // may have moved with the same change, so visible documents re-fetch them.
    vscode.languages.onDidChangeDiagnostics((event) => {
      const changed = new Set(event.uris.map((uri) => uri.toString()));
      for (const editor of vscode.window.visibleTextEditors) {
        const key = editor.document.uri.toString();
        if (changed.has(key) && isOurs(editor.document)) {
          void fetcher.refresh(key);
        }
      }
      const active = vscode.window.activeTextEditor?.document.uri.toString();
      if (active !== undefined && changed.has(active)) {
        updateStatus();
      }
    }),
    vscode.workspace.onDidCloseTextDocument((document) => decorations.forget(document.uri.toString())),
    vscode.workspace.onDidChangeConfiguration((event) => {
      if (!event.affectsConfiguration(SECTION)) {
        return;
      }
      const next = readCurrentSettings();
      const change = classifyChange(settings, next);
      settings = next;
      updateStatus();
      if (change === 'restart') {
        void controller?.restart();
      } else if (change === 'notify') {
        void controller?.notifySettings(next);
      }
    }),
    vscode.workspace.onDidGrantWorkspaceTrust(() => {
      if (settings.interpreter.length === 0) {
        void controller?.restart();
      }
    }),
    { dispose: () => void controller?.stop() },
  );

  updateStatus();
  // Activation returns at once; the Python extension and the interpreter probe can take seconds.
  void (async () => {
    python ??= await loadPythonExtension(vscode.extensions, log);
    if (python !== undefined) {
      context.subscriptions.push(
        python.environments.onDidChangeActiveEnvironmentPath(() => {
          if (settings.interpreter.length === 0) {
            log('The Python extension switched environments; restarting draftguard.');
            void controller?.restart();
          }
        }),
      );
    }
    await controller?.restart();
  })();
}

export async function deactivate(): Promise<void> {
  await controller?.stop();
  controller = undefined;
}
