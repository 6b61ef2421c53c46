// Microsoft Agent 365 observability (`@microsoft/agents-a365-observability`):
// the application opens its scopes by hand, as the SDK's docs show: an
// InvokeAgentScope around the loop, an InferenceScope per model call
// (messages recorded in the SDK's structured form, which it wraps as
// {"version":"0.1.0","messages":[…]}), an ExecuteToolScope per tool run
// (recordError when it throws). The scopes trace through the global tracer
// provider; this exporter sends their spans to OTLP instead of Agent 365.
import { createRequire } from 'node:module';
import { env, finish, setupTracing } from '../lib/otel.mjs';
import { AGENT_NAME, CONVERSATION_ID, userMessage } from '../lib/scenarios.mjs';
import { agentLoop } from '../lib/agent-loop.mjs';

const cfg = env();
const provider = setupTracing(cfg);
// The scopes take their tracer when the module loads: load it after the
// provider is registered.
const { A365_MESSAGE_SCHEMA_VERSION, ExecuteToolScope, InferenceOperationType, InferenceScope, InvokeAgentScope } = await import(
  '@microsoft/agents-a365-observability'
);
const OpenAI = createRequire(import.meta.url)('openai');

const agentDetails = { agentId: 'agent-weather-0001', agentName: AGENT_NAME, agentDescription: 'Travel assistant', tenantId: 'tenant-fixturegen' };
const request = { content: userMessage(cfg.scenario), conversationId: CONVERSATION_ID(cfg.scenario), sessionId: `session-${cfg.scenario}` };

// OpenAI chat messages in the SDK's ChatMessage shape.
function toParts(m) {
  const parts = [];
  if (m.role === 'tool') {
    parts.push({ type: 'tool_call_response', id: m.tool_call_id, response: m.content });
    return { role: 'tool', parts };
  }
  if (m.content) parts.push({ type: 'text', content: m.content });
  for (const c of m.tool_calls ?? []) {
    let args;
    try {
      args = JSON.parse(c.function.arguments);
    } catch {
      args = { raw: c.function.arguments };
    }
    parts.push({ type: 'tool_call', id: c.id, name: c.function.name, arguments: args });
  }
  return { role: m.role, parts };
}

const invoke = InvokeAgentScope.start(request, {}, agentDetails);
await invoke.withActiveSpanAsync(async () => {
  invoke.recordInputMessages([userMessage(cfg.scenario)]);
  const final = await agentLoop(OpenAI.OpenAI ?? OpenAI, cfg, {
    onModel: async (req, call) => {
      const scope = InferenceScope.start(request, { operationName: InferenceOperationType.CHAT, model: req.model, providerName: 'openai' }, agentDetails);
      try {
        return await scope.withActiveSpanAsync(async () => {
          scope.recordInputMessages({ version: A365_MESSAGE_SCHEMA_VERSION, messages: req.messages.map(toParts) });
          const resp = await call();
          const choice = resp.choices[0];
          scope.recordOutputMessages({
            version: A365_MESSAGE_SCHEMA_VERSION,
            messages: [{ ...toParts(choice.message), finish_reason: choice.finish_reason }],
          });
          scope.recordInputTokens(resp.usage.prompt_tokens);
          scope.recordOutputTokens(resp.usage.completion_tokens);
          scope.recordFinishReasons([choice.finish_reason]);
          return resp;
        });
      } finally {
        scope.dispose();
      }
    },
    onTool: async (toolCall, run) => {
      const scope = ExecuteToolScope.start(request, { toolName: toolCall.function.name, arguments: toolCall.function.arguments, toolCallId: toolCall.id, toolType: 'function' }, agentDetails);
      try {
        return await scope.withActiveSpanAsync(async () => {
          try {
            const out = await run();
            scope.recordResponse(out);
            return out;
          } catch (e) {
            scope.recordError(e);
            throw e;
          }
        });
      } finally {
        scope.dispose();
      }
    },
  });
  if (final != null) invoke.recordOutputMessages([final]);
});
invoke.dispose();
await finish(provider);
