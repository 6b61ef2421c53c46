// Regenerates testdata/fixtures/real/<producer>_<scenario>.json.
//
//   cd tools/fixturegen && npm ci && node generate.mjs [--raw DIR] [--only producer[/scenario]]
//
// 1. starts a fake OpenAI-compatible server and an OTLP/HTTP capture server,
//    both on 127.0.0.1 (ephemeral ports);
// 2. runs every producer script once per scenario, each in its own Node
//    process (one instrumentation per process, one resource per scenario),
//    exporting OTLP/HTTP JSON to the capture server;
// 3. merges the captured request bodies of one run into one
//    ExportTraceServiceRequest, normalizes ids/times (see lib/normalize.mjs)
//    and writes it pretty-printed.
// Everything is bounded: each child is killed after CHILD_TIMEOUT_MS, and the
// script exits by itself.
import { spawn } from 'node:child_process';
import { mkdirSync, writeFileSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { startFakeLLM } from './lib/fake-llm.mjs';
import { startCapture } from './lib/capture.mjs';
import { mergeRequests, normalize } from './lib/normalize.mjs';
import { PRODUCERS, SCENARIOS } from './lib/scenarios.mjs';

const HERE = dirname(fileURLToPath(import.meta.url));
const OUT_DIR = resolve(HERE, '../../testdata/fixtures/real');
const CHILD_TIMEOUT_MS = 60_000;
const MAX_FIXTURE_BYTES = 200 * 1024;

const args = process.argv.slice(2);
const rawDir = args.includes('--raw') ? resolve(args[args.indexOf('--raw') + 1]) : null;
const only = args.includes('--only') ? args[args.indexOf('--only') + 1] : null;
const verbose = args.includes('--verbose');
const log = (...a) => console.log(...a);

function runChild(producer, scenario, llmUrl, otlpUrl) {
  return new Promise((resolvePromise) => {
    const child = spawn(process.execPath, [join(HERE, 'producers', `${producer}.mjs`)], {
      cwd: HERE,
      env: {
        PATH: process.env.PATH,
        HOME: process.env.HOME,
        FIXTURE_PRODUCER: producer,
        FIXTURE_SCENARIO: scenario,
        FAKE_LLM_URL: llmUrl,
        OTLP_TRACES_URL: otlpUrl,
        // Content capture switches, in case a producer reads them from the environment.
        OTEL_INSTRUMENTATION_GENAI_CAPTURE_MESSAGE_CONTENT: 'true',
        TRACELOOP_TRACE_CONTENT: 'true',
        // No proxies, no SDK env config leaking in from the caller's shell.
        NO_PROXY: '127.0.0.1,localhost',
      },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let out = '';
    child.stdout.on('data', (d) => (out += d));
    child.stderr.on('data', (d) => (out += d));
    const timer = setTimeout(() => {
      out += `\n(killed after ${CHILD_TIMEOUT_MS} ms)`;
      child.kill('SIGKILL');
    }, CHILD_TIMEOUT_MS);
    child.on('exit', (code, signal) => {
      clearTimeout(timer);
      resolvePromise({ code, signal, out });
    });
  });
}

const llm = await startFakeLLM({ log: verbose ? log : () => {} });
const capture = await startCapture({ log });
mkdirSync(OUT_DIR, { recursive: true });
if (rawDir) mkdirSync(rawDir, { recursive: true });

let failures = 0;
try {
  for (const producer of PRODUCERS) {
    for (const scenario of SCENARIOS) {
      if (only && !(only === producer || only === `${producer}/${scenario}`)) continue;
      const key = `${producer}/${scenario}`;
      const before = llm.requests.length;
      const res = await runChild(producer, scenario, llm.url, `${capture.baseUrl}/${key}/v1/traces`);
      const bodies = capture.bodies.get(key) ?? [];
      log(`${key}: exit=${res.code}${res.signal ? ` signal=${res.signal}` : ''} model_calls=${llm.requests.length - before} otlp_bodies=${bodies.length}`);
      for (const line of res.out.trim().split('\n')) if (line) log(`    ${line}`);
      if (res.code !== 0 || bodies.length === 0) {
        failures++;
        continue;
      }
      const merged = mergeRequests(bodies);
      if (rawDir) writeFileSync(join(rawDir, `${producer}_${scenario}.json`), JSON.stringify(merged, null, 2) + '\n');
      const fixture = normalize(merged, { producer, scenario, llmPort: Number(new URL(llm.url).port), toolDir: HERE });
      const text = JSON.stringify(fixture, null, 2) + '\n';
      if (Buffer.byteLength(text) > MAX_FIXTURE_BYTES) {
        log(`    WARNING: fixture is ${Buffer.byteLength(text)} bytes (> ${MAX_FIXTURE_BYTES})`);
      }
      writeFileSync(join(OUT_DIR, `${producer}_${scenario}.json`), text);
    }
  }
} finally {
  await llm.close();
  await capture.close();
}
log(failures === 0 ? 'all fixtures written' : `${failures} run(s) failed`);
process.exit(failures === 0 ? 0 : 1);
