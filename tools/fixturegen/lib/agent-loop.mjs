// A minimal agent loop over the raw `openai` client (Chat Completions), with
// hooks, for producers whose SDK traces what the application tells it
// (Langfuse, Microsoft Agent 365): call the model with the tool declared;
// run requested tools (a throwing tool becomes an error tool message); at
// most 3 model calls. Hooks: onModel(request, call) wraps each model call,
// onTool(call, run) wraps each tool run.
import { MAX_TOKENS, OPENAI_TOOLS, REQUEST_MODEL, SYSTEM_PROMPT, getWeather, userMessage } from './scenarios.mjs';

export function runToolCall(call) {
  let args;
  try {
    args = JSON.parse(call.function.arguments);
  } catch (e) {
    throw new Error(`invalid tool arguments: ${e.message}`);
  }
  if (call.function.name !== 'get_weather') throw new Error(`unknown tool ${call.function.name}`);
  return getWeather(args);
}

export async function agentLoop(OpenAI, cfg, { onModel = (req, call) => call(), onTool = (c, run) => run() } = {}) {
  const client = new OpenAI({ baseURL: cfg.llmUrl, apiKey: 'sk-fixturegen', maxRetries: 0 });
  const messages = [
    { role: 'system', content: SYSTEM_PROMPT },
    { role: 'user', content: userMessage(cfg.scenario) },
  ];
  let final = null;
  for (let step = 0; step < 3; step++) {
    const request = { model: REQUEST_MODEL, messages: [...messages], tools: OPENAI_TOOLS, tool_choice: 'auto', temperature: 0, max_tokens: MAX_TOKENS(cfg.scenario) };
    const resp = await onModel(request, () => client.chat.completions.create(request));
    const choice = resp.choices[0];
    if (choice.finish_reason !== 'tool_calls' || !choice.message.tool_calls?.length) {
      final = choice.message.content;
      break;
    }
    messages.push({ role: 'assistant', content: choice.message.content, tool_calls: choice.message.tool_calls });
    for (const call of choice.message.tool_calls) {
      let content;
      try {
        content = JSON.stringify(await onTool(call, () => runToolCall(call)));
      } catch (e) {
        content = JSON.stringify({ error: e.message });
      }
      messages.push({ role: 'tool', tool_call_id: call.id, content });
    }
  }
  console.log(`[${cfg.producer}/${cfg.scenario}] final=${JSON.stringify(final)}`);
  return final;
}
