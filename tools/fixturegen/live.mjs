// Runs a producer against the fake model server, exporting OTLP straight to
// a collector: the live end-to-end test (e2e/live_test.go) drives it.
//
//   node live.mjs --producer vercel_ai --otlp http://127.0.0.1:4318/v1/traces scenario...
import { spawn } from 'node:child_process';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { startFakeLLM } from './lib/fake-llm.mjs';

const HERE = dirname(fileURLToPath(import.meta.url));
const CHILD_TIMEOUT_MS = 60_000;
const args = process.argv.slice(2);
const opt = (name) => (args.includes(name) ? args[args.indexOf(name) + 1] : null);
const producer = opt('--producer');
const otlp = opt('--otlp');
const scenarios = args.filter((a, i) => !a.startsWith('--') && !args[i - 1]?.startsWith('--'));
if (!producer || !otlp || scenarios.length === 0) {
  console.error('usage: node live.mjs --producer NAME --otlp URL scenario...');
  process.exit(2);
}

function runChild(scenario, llmUrl) {
  return new Promise((resolve) => {
    const child = spawn(process.execPath, [join(HERE, 'producers', `${producer}.mjs`)], {
      cwd: HERE,
      env: {
        PATH: process.env.PATH,
        HOME: process.env.HOME,
        FIXTURE_PRODUCER: producer,
        FIXTURE_SCENARIO: scenario,
        FAKE_LLM_URL: llmUrl,
        OTLP_TRACES_URL: otlp,
        OTEL_INSTRUMENTATION_GENAI_CAPTURE_MESSAGE_CONTENT: 'true',
        TRACELOOP_TRACE_CONTENT: 'true',
        NO_PROXY: '127.0.0.1,localhost',
      },
      stdio: ['ignore', 'inherit', 'inherit'],
    });
    const timer = setTimeout(() => child.kill('SIGKILL'), CHILD_TIMEOUT_MS);
    child.on('exit', (code) => {
      clearTimeout(timer);
      resolve(code);
    });
  });
}

const llm = await startFakeLLM({ log: () => {} });
let failed = 0;
try {
  for (const scenario of scenarios) {
    if ((await runChild(scenario, llm.url)) !== 0) failed++;
  }
} finally {
  await llm.close();
}
process.exit(failed === 0 ? 0 : 1);
