// Captures the raw OTLP/JSON each framework producer exports (traces and, where
// any, logs) for the four framework scenarios, un-normalized, as
// <out>/<producer>-<scenario>.json: one line {"resourceSpans":[…],"resourceLogs":[…]},
// which `llmeval replay` reads as it is.
//
//   node capture-frameworks.mjs --out DIR [--only producer[,producer]] [--verbose]
//
// Each run is its own Node process against the fake model server (Chat
// Completions, Responses, Gemini); everything on 127.0.0.1.
import { spawn } from 'node:child_process';
import { mkdirSync, writeFileSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { startFakeLLM } from './lib/fake-llm.mjs';
import { startCapture } from './lib/capture.mjs';
import { FRAMEWORKS, FRAMEWORK_SCENARIOS, frameworkEnv } from './lib/frameworks.mjs';

const HERE = dirname(fileURLToPath(import.meta.url));
const CHILD_TIMEOUT_MS = 90_000;
const args = process.argv.slice(2);
const opt = (n) => (args.includes(n) ? args[args.indexOf(n) + 1] : null);
const out = resolve(opt('--out') ?? '../../testdata/captures');
const only = opt('--only')?.split(',');
const verbose = args.includes('--verbose');

function run(fw, scenario, llm, cap) {
  const base = `${cap.baseUrl}/${fw.name}/${scenario}`;
  return new Promise((res) => {
    const child = spawn(process.execPath, [join(HERE, 'producers', `${fw.script}.mjs`)], {
      cwd: HERE,
      env: frameworkEnv(fw, scenario, llm, `${base}/v1/traces`),
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let log = '';
    child.stdout.on('data', (d) => (log += d));
    child.stderr.on('data', (d) => (log += d));
    const timer = setTimeout(() => child.kill('SIGKILL'), CHILD_TIMEOUT_MS);
    child.on('exit', (code) => {
      clearTimeout(timer);
      res({ code, log });
    });
  });
}

mkdirSync(out, { recursive: true });
const llm = await startFakeLLM({ log: verbose ? console.log : () => {} });
const cap = await startCapture({ log: console.log });
let failed = 0;
try {
  for (const fw of FRAMEWORKS.filter((f) => !only || only.includes(f.name))) {
    await Promise.all(
      FRAMEWORK_SCENARIOS.map(async (scenario) => {
        const { code, log } = await run(fw, scenario, llm, cap);
        const key = `${fw.name}/${scenario}`;
        const body = {
          resourceSpans: (cap.bodies.get(key) ?? []).flatMap((b) => b.resourceSpans ?? []),
          resourceLogs: (cap.logBodies.get(key) ?? []).flatMap((b) => b.resourceLogs ?? []),
        };
        const spans = body.resourceSpans.flatMap((r) => r.scopeSpans ?? []).flatMap((s) => s.spans ?? []).length;
        const recs = body.resourceLogs.flatMap((r) => r.scopeLogs ?? []).flatMap((s) => s.logRecords ?? []).length;
        const ok = code === 0 && spans > 0;
        if (!ok) failed++;
        console.log(`${ok ? 'ok  ' : 'FAIL'} ${key}: exit ${code}, ${spans} spans, ${recs} log records`);
        if (!ok || verbose) console.log(log);
        if (spans > 0) writeFileSync(join(out, `${fw.name}-${scenario}.json`), JSON.stringify(body) + '\n');
      }),
    );
  }
} finally {
  await cap.close();
  await llm.close();
}
process.exit(failed ? 1 : 0);
