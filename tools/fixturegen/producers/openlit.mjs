// OpenLIT (`openlit`): init() starts its own SDK exporting OTLP/HTTP to the
// given endpoint and instruments the `openai` module passed to it; the raw
// client runs the hand-written loop. Content capture is on.
import { createRequire } from 'node:module';
import { env } from '../lib/otel.mjs';
import { runRawScenario } from '../lib/raw-client.mjs';
import openlitModule from 'openlit';

const cfg = env();
const Openlit = openlitModule.default ?? openlitModule; // CommonJS default export
const OpenAI = createRequire(import.meta.url)('openai');
Openlit.init({
  applicationName: `fixturegen-${cfg.producer}`,
  otlpEndpoint: cfg.otlpUrl.replace(/\/v1\/traces$/, ''),
  disableBatch: true,
  captureMessageContent: true,
  disableMetrics: true,
  pricingJson: {},
  // OpenLIT builds its own resource and ignores OTEL_RESOURCE_ATTRIBUTES
  // (and breaks when given a tracer provider): the fixture keys go on its spans.
  customSpanAttributes: { 'fixture.producer': cfg.producer, 'fixture.scenario': cfg.scenario },
  instrumentations: { openai: OpenAI },
});
await runRawScenario(OpenAI.OpenAI ?? OpenAI, cfg);
await new Promise((r) => setTimeout(r, 1000));
process.exit(0);
