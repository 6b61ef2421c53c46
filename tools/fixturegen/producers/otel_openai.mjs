// OpenTelemetry `@opentelemetry/instrumentation-openai` instrumenting the raw
// `openai` client (Chat Completions, the hand-written loop). It puts message
// content in log records (gen_ai.* events) when
// OTEL_INSTRUMENTATION_GENAI_CAPTURE_MESSAGE_CONTENT=true, so this producer
// exports logs as well as traces.
import { createRequire } from 'node:module';
import { env, finish, setupLogs, setupTracing } from '../lib/otel.mjs';
import { runRawScenario } from '../lib/raw-client.mjs';
import { OpenAIInstrumentation } from '@opentelemetry/instrumentation-openai';

const cfg = env();
const provider = setupTracing(cfg);
const logProvider = await setupLogs(cfg);
const instrumentation = new OpenAIInstrumentation({ captureMessageContent: true });
instrumentation.setTracerProvider(provider);
instrumentation.enable();
const OpenAI = createRequire(import.meta.url)('openai');
await runRawScenario(OpenAI.OpenAI ?? OpenAI, cfg);
await finish(provider, logProvider);
