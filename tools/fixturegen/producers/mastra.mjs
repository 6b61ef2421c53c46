// Mastra (`@mastra/core` Agent + `@mastra/observability` +
// `@mastra/otel-exporter`): an agent with one tool on the AI SDK OpenAI chat
// model. Mastra traces through its own observability pipeline; the OTel
// exporter sends OTLP/HTTP JSON (provider "custom") with the fixture resource.
import { env, fixtureAttributes } from '../lib/otel.mjs';
import { AGENT_NAME, MAX_TOKENS, REQUEST_MODEL, SYSTEM_PROMPT, getWeather, userMessage } from '../lib/scenarios.mjs';
import { Mastra } from '@mastra/core';
import { Agent } from '@mastra/core/agent';
import { createTool } from '@mastra/core/tools';
import { Observability } from '@mastra/observability';
import { OtelExporter } from '@mastra/otel-exporter';
import { createOpenAI } from '@ai-sdk/openai';
import { z } from 'zod';

const cfg = env();
const exporter = new OtelExporter({
  provider: { custom: { endpoint: cfg.otlpUrl, protocol: 'http/json' } },
  resourceAttributes: fixtureAttributes(cfg),
  signals: { traces: true, logs: false },
});
const observability = new Observability({
  configs: { otel: { serviceName: `fixturegen-${cfg.producer}`, exporters: [exporter] } },
});

const openai = createOpenAI({ baseURL: cfg.llmUrl, apiKey: 'sk-fixturegen' });
const weatherAgent = new Agent({
  id: AGENT_NAME,
  name: AGENT_NAME,
  instructions: SYSTEM_PROMPT,
  model: openai.chat(REQUEST_MODEL),
  tools: {
    get_weather: createTool({
      id: 'get_weather',
      description: 'Get the current weather for a city.',
      inputSchema: z.object({ city: z.string() }),
      execute: async (input) => getWeather(input),
    }),
  },
});
const mastra = new Mastra({ agents: { weatherAgent }, observability, logger: false });

let code = 0;
try {
  const agent = mastra.getAgent('weatherAgent');
  const res = await agent.generate(userMessage(cfg.scenario), { maxSteps: 3, modelSettings: { temperature: 0, maxOutputTokens: MAX_TOKENS(cfg.scenario) } });
  console.log(`[${cfg.producer}/${cfg.scenario}] finish=${res.finishReason} text=${JSON.stringify(res.text)}`);
} catch (e) {
  console.log(`[${cfg.producer}/${cfg.scenario}] threw: ${e?.name}: ${e?.message}`);
}
try {
  await observability.shutdown?.();
  await mastra.shutdown?.();
} catch (e) {
  console.error('shutdown failed', e);
  code = 1;
}
process.exit(code);
