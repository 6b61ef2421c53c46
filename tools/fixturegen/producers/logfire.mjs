// Pydantic Logfire for Node (`@pydantic/logfire-node`): configure() starts
// its NodeSDK with the Node auto-instrumentations (the OpenTelemetry openai
// instrumentation among them, which puts message content in log records).
// Nothing goes to Logfire (sendToLogfire: false): spans leave through an
// extra span processor with this tool's OTLP/HTTP JSON exporter, log records
// through a global LoggerProvider. The scenario runs in a logfire.span.
import { createRequire } from 'node:module';
import { BatchSpanProcessor } from '@opentelemetry/sdk-trace-base';
import { OTLPTraceExporter } from '@opentelemetry/exporter-trace-otlp-http';
import { env, setupLogs } from '../lib/otel.mjs';
import { runRawScenario } from '../lib/raw-client.mjs';
import * as logfire from '@pydantic/logfire-node';

const cfg = env();
const logProvider = await setupLogs(cfg);
logfire.configure({
  sendToLogfire: false,
  serviceName: `fixturegen-${cfg.producer}`,
  metrics: false,
  additionalSpanProcessors: [new BatchSpanProcessor(new OTLPTraceExporter({ url: cfg.otlpUrl, timeoutMillis: 10000 }))],
});
const OpenAI = createRequire(import.meta.url)('openai');
await runRawScenario(OpenAI.OpenAI ?? OpenAI, cfg);
let code = 0;
try {
  await logfire.forceFlush();
  await logProvider.forceFlush();
  await logfire.shutdown();
  await logProvider.shutdown();
} catch (e) {
  console.error('shutdown failed', e);
  code = 1;
}
process.exit(code);
