// The application code shared by the two producers that instrument the raw
// `openai` client (OpenInference, Traceloop). These clients have no agent
// loop of their own, so this is a minimal hand-written one: call the model
// with the tool declared; if it asks for tools, run them (invalid arguments
// and tool exceptions become a tool message whose content is an error), send
// the results back; at most 3 model calls.
//
// The whole scenario runs under one application span, "scenario <name>"
// (scope "fixturegen"), so that all model calls of a scenario share a trace,
// as they would under an app's request span. That span is NOT produced by the
// instrumentation under test; it carries no gen_ai/llm attributes.
import { trace, SpanStatusCode } from '@opentelemetry/api';
import {
  MAX_TOKENS,
  OPENAI_TOOLS,
  REQUEST_MODEL,
  SYSTEM_PROMPT,
  getWeather,
  userMessage,
} from './scenarios.mjs';

function runTool(call) {
  let args;
  try {
    args = JSON.parse(call.function.arguments);
  } catch (e) {
    return { error: `invalid tool arguments: ${e.message}` };
  }
  if (call.function.name !== 'get_weather') return { error: `unknown tool ${call.function.name}` };
  if (typeof args?.city !== 'string') return { error: 'invalid tool arguments: missing required field "city"' };
  try {
    return getWeather(args);
  } catch (e) {
    return { error: e.message };
  }
}

export async function runRawScenario(OpenAI, cfg) {
  const client = new OpenAI({ baseURL: cfg.llmUrl, apiKey: 'sk-fixturegen', maxRetries: 0 });
  const tracer = trace.getTracer('fixturegen');
  await tracer.startActiveSpan(`scenario ${cfg.scenario}`, async (span) => {
    try {
      const messages = [
        { role: 'system', content: SYSTEM_PROMPT },
        { role: 'user', content: userMessage(cfg.scenario) },
      ];
      for (let step = 0; step < 3; step++) {
        const resp = await client.chat.completions.create({
          model: REQUEST_MODEL,
          messages,
          tools: OPENAI_TOOLS,
          tool_choice: 'auto',
          temperature: 0,
          max_tokens: MAX_TOKENS(cfg.scenario),
        });
        const choice = resp.choices[0];
        console.log(`[${cfg.producer}/${cfg.scenario}] step ${step + 1}: finish=${choice.finish_reason} content=${JSON.stringify(choice.message.content)}`);
        if (choice.finish_reason !== 'tool_calls' || !choice.message.tool_calls?.length) break;
        messages.push({ role: 'assistant', content: choice.message.content, tool_calls: choice.message.tool_calls });
        for (const call of choice.message.tool_calls) {
          messages.push({ role: 'tool', tool_call_id: call.id, content: JSON.stringify(runTool(call)) });
        }
      }
    } catch (e) {
      span.recordException(e);
      span.setStatus({ code: SpanStatusCode.ERROR, message: e.message });
      console.log(`[${cfg.producer}/${cfg.scenario}] threw: ${e.message}`);
    } finally {
      span.end();
    }
  });
}
