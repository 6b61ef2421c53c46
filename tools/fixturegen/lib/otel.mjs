// OpenTelemetry SDK setup shared by the producer scripts: a NodeTracerProvider
// with a BatchSpanProcessor and the OTLP/HTTP exporter (JSON encoding, the
// default of @opentelemetry/exporter-trace-otlp-http), pointed at the capture
// server. The provider is registered globally (context manager included) so
// parent/child links across async calls work.
import { NodeTracerProvider } from '@opentelemetry/sdk-trace-node';
import { BatchSpanProcessor } from '@opentelemetry/sdk-trace-base';
import { OTLPTraceExporter } from '@opentelemetry/exporter-trace-otlp-http';
import { defaultResource, resourceFromAttributes } from '@opentelemetry/resources';

export function env() {
  const { FIXTURE_PRODUCER, FIXTURE_SCENARIO, FAKE_LLM_URL, OTLP_TRACES_URL } = process.env;
  if (!FIXTURE_PRODUCER || !FIXTURE_SCENARIO || !FAKE_LLM_URL || !OTLP_TRACES_URL) {
    throw new Error('run through generate.mjs (FIXTURE_PRODUCER, FIXTURE_SCENARIO, FAKE_LLM_URL, OTLP_TRACES_URL)');
  }
  return { producer: FIXTURE_PRODUCER, scenario: FIXTURE_SCENARIO, llmUrl: FAKE_LLM_URL, otlpUrl: OTLP_TRACES_URL };
}

export function setupTracing({ producer, scenario, otlpUrl }) {
  const exporter = new OTLPTraceExporter({ url: otlpUrl, timeoutMillis: 10000 });
  const provider = new NodeTracerProvider({
    // the SDK's default resource (service.name, telemetry.sdk.*) plus the fixture keys
    resource: defaultResource().merge(resourceFromAttributes(fixtureAttributes({ producer, scenario }))),
    spanProcessors: [
      new BatchSpanProcessor(exporter, { maxExportBatchSize: 512, scheduledDelayMillis: 60000 }),
    ],
  });
  provider.register();
  return provider;
}

// The OTLP/HTTP logs endpoint next to the traces one (…/v1/traces → …/v1/logs).
export const logsUrl = (otlpUrl) => process.env.OTLP_LOGS_URL || otlpUrl.replace(/\/v1\/traces$/, '/v1/logs');

// setupLogs registers a global LoggerProvider exporting OTLP/HTTP JSON logs,
// for instrumentations that put message content in log records (the
// OpenTelemetry openai instrumentation, Logfire). Returns the provider.
export async function setupLogs({ producer, scenario, otlpUrl }) {
  const { logs } = await import('@opentelemetry/api-logs');
  const { LoggerProvider, BatchLogRecordProcessor } = await import('@opentelemetry/sdk-logs');
  const { OTLPLogExporter } = await import('@opentelemetry/exporter-logs-otlp-http');
  const provider = new LoggerProvider({
    resource: defaultResource().merge(resourceFromAttributes(fixtureAttributes({ producer, scenario }))),
    processors: [new BatchLogRecordProcessor({ exporter: new OTLPLogExporter({ url: logsUrl(otlpUrl), timeoutMillis: 10000 }) })],
  });
  logs.setGlobalLoggerProvider(provider);
  // @opentelemetry/api 1.10 carries the logs API too (newer instrumentations use it).
  const api = await import('@opentelemetry/api');
  api.logs?.setGlobalLoggerProvider?.(provider);
  return provider;
}

// fixtureResource is the resource every producer's spans carry.
export const fixtureAttributes = ({ producer, scenario }) => ({
  'service.name': `fixturegen-${producer}`,
  'fixture.producer': producer,
  'fixture.scenario': scenario,
});

// finish shuts the providers down (flushing them) and exits.
export async function finish(...providers) {
  let code = 0;
  for (const p of providers) {
    if (!p) continue;
    await p.shutdown().catch((e) => {
      console.error('shutdown failed', e);
      code = 1;
    });
  }
  process.exit(code);
}
