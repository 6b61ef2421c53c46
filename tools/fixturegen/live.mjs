// Runs a producer against the fake model server, exporting OTLP straight to
// a collector: the live end-to-end tests (e2e/live_test.go) drive it.
//
//   node live.mjs --producer NAME --otlp http://127.0.0.1:4318/v1/traces scenario...
//
// NAME is a producer script (vercel_ai, openinference, traceloop) or a
// framework of lib/frameworks.mjs (openai_agents, strands_latest, ...).
// Scenarios run concurrently, each in its own Node process; logs go to the
// same endpoint's /v1/logs.
import { spawn } from 'node:child_process';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { startFakeLLM } from './lib/fake-llm.mjs';
import { frameworkByName, frameworkEnv } from './lib/frameworks.mjs';

const HERE = dirname(fileURLToPath(import.meta.url));
const CHILD_TIMEOUT_MS = 90_000;
const args = process.argv.slice(2);
const opt = (name) => (args.includes(name) ? args[args.indexOf(name) + 1] : null);
const producer = opt('--producer');
const otlp = opt('--otlp');
const scenarios = args.filter((a, i) => !a.startsWith('--') && !args[i - 1]?.startsWith('--'));
if (!producer || !otlp || scenarios.length === 0) {
  console.error('usage: node live.mjs --producer NAME --otlp URL scenario...');
  process.exit(2);
}
const fw = frameworkByName(producer) ?? { name: producer, script: producer };

function runChild(scenario, llm) {
  return new Promise((resolve) => {
    const child = spawn(process.execPath, [join(HERE, 'producers', `${fw.script}.mjs`)], {
      cwd: HERE,
      env: frameworkEnv(fw, scenario, llm, otlp),
      stdio: ['ignore', 'inherit', 'inherit'],
    });
    const timer = setTimeout(() => child.kill('SIGKILL'), CHILD_TIMEOUT_MS);
    child.on('exit', (code) => {
      clearTimeout(timer);
      if (code !== 0) console.error(`${producer}/${scenario}: exit ${code}`);
      resolve(code);
    });
  });
}

const llm = await startFakeLLM({ log: () => {} });
let failed = 0;
try {
  const codes = await Promise.all(scenarios.map((s) => runChild(s, llm)));
  failed = codes.filter((c) => c !== 0).length;
} finally {
  await llm.close();
}
process.exit(failed === 0 ? 0 : 1);
