// Traceloop OpenLLMetry SDK (`@traceloop/node-server-sdk`): the raw `openai`
// client instrumented through initialize({instrumentModules}), the loop
// wrapped in withAgent and each tool run in withTool, as its docs show.
// initialize() is given this tool's OTLP/HTTP JSON exporter; the fixture
// resource comes from OTEL_RESOURCE_ATTRIBUTES.
import { createRequire } from 'node:module';
import { trace } from '@opentelemetry/api';
import { OTLPTraceExporter } from '@opentelemetry/exporter-trace-otlp-http';
import { env } from '../lib/otel.mjs';
import { AGENT_NAME } from '../lib/scenarios.mjs';
import { agentLoop } from '../lib/agent-loop.mjs';
import * as traceloop from '@traceloop/node-server-sdk';

const cfg = env();
const OpenAI = createRequire(import.meta.url)('openai');
traceloop.initialize({
  appName: `fixturegen-${cfg.producer}`,
  exporter: new OTLPTraceExporter({ url: cfg.otlpUrl, timeoutMillis: 10000 }),
  disableBatch: true,
  traceContent: true,
  silenceInitializationMessage: true,
  traceloopSyncEnabled: false,
  instrumentModules: { openAI: OpenAI.OpenAI ?? OpenAI },
});
await traceloop.waitForInitialization?.();

await traceloop.withAgent({ name: AGENT_NAME }, () =>
  agentLoop(OpenAI.OpenAI ?? OpenAI, cfg, {
    onTool: (call, run) => traceloop.withTool({ name: call.function.name }, async () => run()),
  }),
);
await traceloop.forceFlush();
await new Promise((r) => setTimeout(r, 500));
process.exit(0);
