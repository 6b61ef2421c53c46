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
    resource: defaultResource().merge(
      resourceFromAttributes({
        'service.name': `fixturegen-${producer}`,
        'fixture.producer': producer,
        'fixture.scenario': scenario,
      }),
    ),
    spanProcessors: [
      new BatchSpanProcessor(exporter, { maxExportBatchSize: 512, scheduledDelayMillis: 60000 }),
    ],
  });
  provider.register();
  return provider;
}
