// Strands Agents (`@strands-agents/sdk`) on its default OpenAI model (the
// Responses API, streaming). Strands traces through the global tracer
// provider; with OTEL_SEMCONV_STABILITY_OPT_IN=gen_ai_latest_experimental
// (framework "strands_latest") it emits the newer event layout.
import { env, finish, setupTracing } from '../lib/otel.mjs';
import { AGENT_NAME, REQUEST_MODEL, SYSTEM_PROMPT, getWeather, userMessage } from '../lib/scenarios.mjs';
import { Agent, tool } from '@strands-agents/sdk';
import { OpenAIModel } from '@strands-agents/sdk/models/openai';
import { z } from 'zod';

const cfg = env();
const provider = setupTracing(cfg);

const agent = new Agent({
  name: AGENT_NAME,
  model: new OpenAIModel({ modelId: REQUEST_MODEL, apiKey: 'sk-fixturegen', clientConfig: { baseURL: cfg.llmUrl, maxRetries: 0 } }),
  systemPrompt: SYSTEM_PROMPT,
  printer: false,
  tools: [
    tool({
      name: 'get_weather',
      description: 'Get the current weather for a city.',
      inputSchema: z.object({ city: z.string() }),
      callback: (input) => getWeather(input),
    }),
  ],
});

try {
  const result = await agent.invoke(userMessage(cfg.scenario));
  console.log(`[${cfg.producer}/${cfg.scenario}] stop=${result.stopReason} text=${JSON.stringify(String(result))}`);
} catch (e) {
  console.log(`[${cfg.producer}/${cfg.scenario}] threw: ${e?.name}: ${e?.message}`);
}
await finish(provider);
