// Producer (a): Vercel AI SDK 7 (`ai`) + `@ai-sdk/otel` (GenAI semantic conventions).
// A ToolLoopAgent with one tool (get_weather), stopWhen: stepCountIs(3),
// on the OpenAI provider's chat-completions model (`createOpenAI(...).chat`).
import { env, setupTracing } from '../lib/otel.mjs';
import {
  AGENT_NAME,
  MAX_TOKENS,
  REQUEST_MODEL,
  SYSTEM_PROMPT,
  getWeather,
  userMessage,
} from '../lib/scenarios.mjs';
import { registerTelemetry, ToolLoopAgent, stepCountIs, tool } from 'ai';
import { OpenTelemetry } from '@ai-sdk/otel';
import { createOpenAI } from '@ai-sdk/openai';
import { z } from 'zod';

const cfg = env();
const provider = setupTracing(cfg);
// Name the invoke_agent span after telemetry.functionId ("invoke_agent weather-agent").
registerTelemetry(new OpenTelemetry({ agentSpanName: 'functionId' }));

const openai = createOpenAI({ baseURL: cfg.llmUrl, apiKey: 'sk-fixturegen' });

const agent = new ToolLoopAgent({
  model: openai.chat(REQUEST_MODEL),
  instructions: SYSTEM_PROMPT,
  tools: {
    get_weather: tool({
      description: 'Get the current weather for a city.',
      inputSchema: z.object({
        city: z.string().describe('City name, e.g. Paris'),
        unit: z.enum(['celsius', 'fahrenheit']).optional(),
      }),
      execute: async (input) => getWeather(input),
    }),
  },
  stopWhen: stepCountIs(3),
  maxOutputTokens: MAX_TOKENS(cfg.scenario),
  temperature: 0,
  maxRetries: 0,
  // content capture: recordInputs/recordOutputs default to true; set explicitly.
  telemetry: { functionId: AGENT_NAME, recordInputs: true, recordOutputs: true },
});

let exitCode = 0;
try {
  const result = await agent.generate({ prompt: userMessage(cfg.scenario) });
  console.log(
    `[${cfg.producer}/${cfg.scenario}] steps=${result.steps.length} finish=${result.finishReason} text=${JSON.stringify(result.text)}`,
  );
} catch (e) {
  console.log(`[${cfg.producer}/${cfg.scenario}] generate threw: ${e?.name}: ${e?.message}`);
} finally {
  await provider.shutdown().catch((e) => {
    console.error('shutdown failed', e);
    exitCode = 1;
  });
}
process.exit(exitCode);
