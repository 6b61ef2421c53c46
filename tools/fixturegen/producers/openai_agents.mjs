// OpenAI Agents SDK (`@openai/agents`) on its default Responses API, traced by
// OpenInference (`@arizeai/openinference-instrumentation-openai`), which
// patches the `openai` client class the SDK uses (openai 7, nested under
// @openai/agents-openai). The SDK's own tracing (to OpenAI's platform) is off.
import { createRequire } from 'node:module';
import { trace } from '@opentelemetry/api';
import { env, finish, setupTracing } from '../lib/otel.mjs';
import { AGENT_NAME, REQUEST_MODEL, SYSTEM_PROMPT, getWeather, userMessage } from '../lib/scenarios.mjs';
import { OpenAIInstrumentation } from '@arizeai/openinference-instrumentation-openai';

const cfg = env();
const provider = setupTracing(cfg);
const instrumentation = new OpenAIInstrumentation({ tracerProvider: provider });
const agentsRequire = createRequire(createRequire(import.meta.url).resolve('@openai/agents-openai'));
const openaiModule = agentsRequire('openai');
instrumentation.manuallyInstrument(openaiModule);

const { Agent, run, tool, setDefaultOpenAIClient, setTracingDisabled } = await import('@openai/agents');
const { z } = await import('zod');
setTracingDisabled(true);
const OpenAI = openaiModule.OpenAI ?? openaiModule;
setDefaultOpenAIClient(new OpenAI({ baseURL: cfg.llmUrl, apiKey: 'sk-fixturegen', maxRetries: 0 }));

const agent = new Agent({
  name: AGENT_NAME,
  instructions: SYSTEM_PROMPT,
  model: REQUEST_MODEL,
  tools: [
    tool({
      name: 'get_weather',
      description: 'Get the current weather for a city.',
      parameters: z.object({ city: z.string() }),
      execute: async (input) => getWeather(input),
    }),
  ],
});

const tracer = trace.getTracer('fixturegen');
await tracer.startActiveSpan(`scenario ${cfg.scenario}`, async (span) => {
  try {
    const result = await run(agent, userMessage(cfg.scenario), { maxTurns: 3 });
    console.log(`[${cfg.producer}/${cfg.scenario}] final=${JSON.stringify(result.finalOutput)}`);
  } catch (e) {
    console.log(`[${cfg.producer}/${cfg.scenario}] threw: ${e?.name}: ${e?.message}`);
  } finally {
    span.end();
  }
});
await finish(provider);
