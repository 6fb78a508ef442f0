'use strict';
/**
 * `node typecheck-runner.cjs <typescript package dir> '[{"config": "tsconfig.x.json", "scope": "all"}, ...]'`
 * type-checks each config in one process and prints one JSON report per config: its diagnostics
 * (file, line, code, message) and the files of its program (what `tsc --listFiles` prints).
 *
 * Scope "all" reports what `tsc -p <config> --noEmit` reports. Scope "own" asks the checker only
 * about the config's own files and expect-gradcheck's declarations (with skipLibCheck false for
 * them), not about every other declaration file of the program (@types/node, the runner's types),
 * which is where most of the time goes; a conflict that TypeScript reports inside the runner's
 * declarations is seen only by scope "all".
 *
 * Why not one `tsc` per config: a consumer project is checked in four resolution modes, and most
 * of each program is the same declaration files (@types/node, the runner's own types). Parsed and
 * bound source files are kept between the programs of one run, keyed by everything that changes
 * how a file parses (module kind and resolution, language version, ESM/CJS format), as the
 * language service's document registry does; each program still type-checks everything itself.
 */
const path = require('node:path');

const [typescriptDir, requests] = process.argv.slice(2);
const ts = require(typescriptDir);

const parsedFiles = new Map();

function check(configPath, scope) {
  const started = Date.now();
  const parsed = ts.getParsedCommandLineOfConfigFile(path.resolve(configPath), { noEmit: true }, {
    ...ts.sys,
    onUnRecoverableConfigFileDiagnostic: (diagnostic) => {
      throw new Error(ts.flattenDiagnosticMessageText(diagnostic.messageText, '\n'));
    },
  });
  const host = ts.createCompilerHost(parsed.options);
  const readSourceFile = host.getSourceFile.bind(host);
  const { module, moduleResolution, moduleDetection } = parsed.options;
  host.getSourceFile = (fileName, languageVersionOrOptions, onError, shouldCreateNewSourceFile) => {
    const options = typeof languageVersionOrOptions === 'object' ? languageVersionOrOptions : { languageVersion: languageVersionOrOptions };
    const key = [module, moduleResolution, moduleDetection, options.languageVersion, options.impliedNodeFormat, fileName].join('|');
    let file = parsedFiles.get(key);
    if (file === undefined || shouldCreateNewSourceFile) {
      file = readSourceFile(fileName, languageVersionOrOptions, onError, shouldCreateNewSourceFile);
      parsedFiles.set(key, file);
    }
    return file;
  };
  const program = ts.createProgram({
    rootNames: parsed.fileNames,
    options: parsed.options,
    host,
    projectReferences: parsed.projectReferences,
    configFileParsingDiagnostics: parsed.errors,
  });
  const ownFiles = new Set(parsed.fileNames.map((fileName) => path.resolve(fileName)));
  const isOwn = (file) => ownFiles.has(path.resolve(file.fileName)) || file.fileName.replaceAll('\\', '/').includes('/node_modules/expect-gradcheck/');
  const checked = scope === 'all' ? program.getSourceFiles() : program.getSourceFiles().filter(isOwn);
  const found =
    scope === 'all'
      ? ts.getPreEmitDiagnostics(program)
      : [
          ...program.getConfigFileParsingDiagnostics(),
          ...program.getOptionsDiagnostics(),
          ...program.getGlobalDiagnostics(),
          ...checked.flatMap((file) => [...program.getSyntacticDiagnostics(file), ...program.getSemanticDiagnostics(file)]),
        ];
  const diagnostics = found.map((diagnostic) => {
    const position = diagnostic.file !== undefined && diagnostic.start !== undefined ? diagnostic.file.getLineAndCharacterOfPosition(diagnostic.start) : undefined;
    return {
      file: diagnostic.file === undefined ? null : diagnostic.file.fileName,
      line: position === undefined ? null : position.line + 1,
      code: diagnostic.code,
      message: ts.flattenDiagnosticMessageText(diagnostic.messageText, '\n'),
    };
  });
  return {
    config: configPath,
    scope,
    typescript: ts.version,
    ms: Date.now() - started,
    diagnostics,
    files: program.getSourceFiles().map((file) => file.fileName),
    checked: scope === 'all' ? 'all' : checked.map((file) => file.fileName),
  };
}

const reports = [];
for (const { config, scope } of JSON.parse(requests)) {
  try {
    reports.push(check(config, scope));
  } catch (error) {
    reports.push({ config, scope, error: String(error && error.stack ? error.stack : error) });
  }
}
process.stdout.write(JSON.stringify(reports));
