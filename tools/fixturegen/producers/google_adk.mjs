// Google ADK (`@google/adk`): an LlmAgent with one FunctionTool on a Gemini
// model whose client is pointed at the fake server's generateContent
// endpoint (httpOptions.baseUrl). ADK traces through the global tracer
// provider (tracer "gcp.vertex.agent").
import { env, finish, setupTracing } from '../lib/otel.mjs';
import { AGENT_NAME, SYSTEM_PROMPT, getWeather, userMessage } from '../lib/scenarios.mjs';
import { z } from 'zod';

const cfg = env();
const provider = setupTracing(cfg);
// ADK takes its tracer when its module loads (from its own nested
// @opentelemetry/api): load it after the provider is registered.
const { Gemini, InMemoryRunner, LlmAgent, FunctionTool } = await import('@google/adk');

class FakeGemini extends Gemini {
  getHttpOptions() {
    return { ...super.getHttpOptions(), baseUrl: process.env.FAKE_LLM_BASE };
  }
}

const agent = new LlmAgent({
  name: AGENT_NAME.replace('-', '_'),
  model: new FakeGemini({ model: 'gemini-2.5-flash', apiKey: 'fixturegen-key' }),
  instruction: SYSTEM_PROMPT,
  tools: [
    new FunctionTool({
      name: 'get_weather',
      description: 'Get the current weather for a city.',
      parameters: z.object({ city: z.string() }),
      execute: (input) => getWeather(input),
    }),
  ],
});

try {
  const runner = new InMemoryRunner({ agent, appName: 'fixturegen' });
  let last = '';
  for await (const event of runner.runEphemeral({
    userId: 'user-1',
    newMessage: { role: 'user', parts: [{ text: userMessage(cfg.scenario) }] },
  })) {
    const text = event.content?.parts?.map((p) => p.text ?? '').join('');
    if (text) last = text;
  }
  console.log(`[${cfg.producer}/${cfg.scenario}] final=${JSON.stringify(last)}`);
} catch (e) {
  console.log(`[${cfg.producer}/${cfg.scenario}] threw: ${e?.name}: ${e?.message}`);
}
await finish(provider);
