// Producer (c): Traceloop OpenLLMetry `@traceloop/instrumentation-openai`
// instrumenting the `openai` npm client (chat completions, tools declared).
// The instrumentation hooks `require('openai')`, so the client is loaded with
// createRequire after the instrumentation is enabled.
import { createRequire } from 'node:module';
import { env, setupTracing } from '../lib/otel.mjs';
import { runRawScenario } from '../lib/raw-client.mjs';
import { OpenAIInstrumentation } from '@traceloop/instrumentation-openai';

const cfg = env();
const provider = setupTracing(cfg);
const instrumentation = new OpenAIInstrumentation({
  // content capture: traceContent defaults to true unless TRACELOOP_TRACE_CONTENT=false; set explicitly.
  traceContent: true,
  enrichTokens: false,
});
instrumentation.setTracerProvider(provider);
instrumentation.enable();
const require = createRequire(import.meta.url);
const OpenAI = require('openai');

let exitCode = 0;
try {
  await runRawScenario(OpenAI.OpenAI ?? OpenAI, cfg);
} finally {
  await provider.shutdown().catch((e) => {
    console.error('shutdown failed', e);
    exitCode = 1;
  });
}
process.exit(exitCode);
