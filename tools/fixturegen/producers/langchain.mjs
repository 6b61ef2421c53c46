// LangChain (`@langchain/core` + `@langchain/openai` ChatOpenAI) traced by
// OpenInference (`@arizeai/openinference-instrumentation-langchain`, patched
// into @langchain/core's callback manager): a tool-calling loop with a
// LangChain tool; a throwing tool becomes an error ToolMessage.
import { env, finish, setupTracing } from '../lib/otel.mjs';
import { MAX_TOKENS, REQUEST_MODEL, SYSTEM_PROMPT, getWeather, userMessage } from '../lib/scenarios.mjs';
import { LangChainInstrumentation } from '@arizeai/openinference-instrumentation-langchain';
import * as CallbackManagerModule from '@langchain/core/callbacks/manager';
import { z } from 'zod';

const cfg = env();
const provider = setupTracing(cfg);
const instrumentation = new LangChainInstrumentation({ tracerProvider: provider });
instrumentation.manuallyInstrument(CallbackManagerModule);
const { ChatOpenAI } = await import('@langchain/openai');
const { tool } = await import('@langchain/core/tools');
const { HumanMessage, SystemMessage, ToolMessage } = await import('@langchain/core/messages');
const { RunnableLambda } = await import('@langchain/core/runnables');

const getWeatherTool = tool(async (input) => JSON.stringify(getWeather(input)), {
  name: 'get_weather',
  description: 'Get the current weather for a city.',
  schema: z.object({ city: z.string() }),
});
const model = new ChatOpenAI({
  model: REQUEST_MODEL,
  temperature: 0,
  maxTokens: MAX_TOKENS(cfg.scenario),
  maxRetries: 0,
  apiKey: 'sk-fixturegen',
  configuration: { baseURL: cfg.llmUrl },
}).bindTools([getWeatherTool]);

// The loop is a runnable, so its run is the root (a CHAIN span) of the trace.
const agent = RunnableLambda.from(async (prompt) => {
  const messages = [new SystemMessage(SYSTEM_PROMPT), new HumanMessage(prompt)];
  for (let step = 0; step < 3; step++) {
    const ai = await model.invoke(messages);
    messages.push(ai);
    if (!ai.tool_calls?.length) return ai.content;
    for (const call of ai.tool_calls) {
      let content;
      try {
        content = await getWeatherTool.invoke(call.args);
      } catch (e) {
        content = JSON.stringify({ error: e.message });
      }
      messages.push(new ToolMessage({ content, tool_call_id: call.id }));
    }
  }
  return null;
}).withConfig({ runName: 'weather-agent' });

try {
  const out = await agent.invoke(userMessage(cfg.scenario));
  console.log(`[${cfg.producer}/${cfg.scenario}] final=${JSON.stringify(out)}`);
} catch (e) {
  console.log(`[${cfg.producer}/${cfg.scenario}] threw: ${e?.name}: ${e?.message}`);
}
await finish(provider);
