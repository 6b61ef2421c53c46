// Langfuse SDK (`@langfuse/tracing`), instrumented by hand as its docs show:
// an agent observation around the loop, a generation per model call (input
// messages, output message, model, usage details) and a tool observation
// per tool run (level ERROR and a status message when it throws). Langfuse
// traces through the global tracer provider; this exporter sends its spans
// to OTLP instead of Langfuse's LangfuseSpanProcessor (@langfuse/otel).
import { createRequire } from 'node:module';
import { env, finish, setupTracing } from '../lib/otel.mjs';
import { AGENT_NAME, userMessage } from '../lib/scenarios.mjs';
import { agentLoop } from '../lib/agent-loop.mjs';
import { startActiveObservation, startObservation } from '@langfuse/tracing';

const cfg = env();
const provider = setupTracing(cfg);
const OpenAI = createRequire(import.meta.url)('openai');

await startActiveObservation(
  AGENT_NAME,
  async (agent) => {
    agent.update({ input: userMessage(cfg.scenario) });
    const final = await agentLoop(OpenAI.OpenAI ?? OpenAI, cfg, {
      onModel: async (req, call) => {
        const gen = startObservation('chat', { model: req.model, input: req.messages, modelParameters: { temperature: req.temperature, max_tokens: req.max_tokens } }, { asType: 'generation' });
        try {
          const resp = await call();
          gen.update({
            output: resp.choices[0].message,
            usageDetails: { input: resp.usage.prompt_tokens, output: resp.usage.completion_tokens, total: resp.usage.total_tokens },
            metadata: { finish_reason: resp.choices[0].finish_reason },
          });
          return resp;
        } finally {
          gen.end();
        }
      },
      onTool: async (toolCall, run) => {
        const t = startObservation(toolCall.function.name, { input: toolCall.function.arguments }, { asType: 'tool' });
        try {
          const out = await run();
          t.update({ output: out });
          return out;
        } catch (e) {
          t.update({ level: 'ERROR', statusMessage: e.message });
          throw e;
        } finally {
          t.end();
        }
      },
    });
    agent.update({ output: final });
  },
  { asType: 'agent' },
);
await finish(provider);
