/**
 * Runs npm scripts side by side and prints each one's output whole, in the order given, once it
 * ends; exits with the first non-zero code. `npm test` uses it for the type-check and the Jest
 * suite: each keeps one core busy for about 8 s, so on 2 cores they take the time of one.
 *
 *   node scripts/run-parallel.mjs typecheck test:jest
 */
import { spawn } from 'node:child_process';

const scripts = process.argv.slice(2);
if (scripts.length === 0) {
  console.error('usage: node scripts/run-parallel.mjs <npm script>...');
  process.exit(2);
}

/** One npm script's run: its interleaved stdout and stderr, and its exit code. */
function runScript(name) {
  return new Promise((resolve) => {
    const child = spawn('npm', ['run', name], { stdio: ['ignore', 'pipe', 'pipe'], env: { ...process.env, FORCE_COLOR: process.env.FORCE_COLOR ?? (process.stdout.isTTY ? '1' : '0') } });
    const chunks = [];
    child.stdout.on('data', (chunk) => chunks.push(chunk));
    child.stderr.on('data', (chunk) => chunks.push(chunk));
    child.on('error', (error) => resolve({ name, code: 1, output: `${error.message}\n` }));
    child.on('close', (code, signal) => resolve({ name, code: code ?? (signal === null ? 1 : 128), output: Buffer.concat(chunks).toString() }));
  });
}

const results = scripts.map(runScript);
let exitCode = 0;
for (const pending of results) {
  const { name, code, output } = await pending;
  process.stdout.write(`\n> npm run ${name}${code === 0 ? '' : ` (exit ${code})`}\n${output}`);
  if (code !== 0 && exitCode === 0) exitCode = code;
}
process.exit(exitCode);
