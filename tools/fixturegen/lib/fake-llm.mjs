// A fake OpenAI-compatible chat-completions server on 127.0.0.1.
// POST /v1/chat/completions, non-streaming JSON or (stream: true) SSE chunks.
// The answer is chosen by the "[scenario=<name>]" marker in the last user
// message and by how many assistant turns the request already carries.
import http from 'node:http';
import { RESPONSE_MODEL, scriptedAnswer } from './scenarios.mjs';

const CREATED = 1767225600; // 2026-01-01T00:00:00Z, fixed for deterministic fixtures

function textOf(content) {
  if (typeof content === 'string') return content;
  if (Array.isArray(content)) return content.map((p) => (typeof p === 'string' ? p : p.text ?? '')).join('');
  return '';
}

// ~4 characters per token; deterministic.
const tokens = (s) => Math.max(1, Math.ceil(s.length / 4));

export function buildCompletion(body) {
  const messages = Array.isArray(body.messages) ? body.messages : [];
  const lastUser = [...messages].reverse().find((m) => m.role === 'user');
  const marker = /\[scenario=([a-z_]+)\]/.exec(textOf(lastUser?.content ?? ''));
  const scenario = marker ? marker[1] : 'unknown';
  const turn = messages.filter((m) => m.role === 'assistant').length;
  const answer = scriptedAnswer(scenario, turn);
  const promptTokens = tokens(JSON.stringify(messages) + JSON.stringify(body.tools ?? []));
  const completionText =
    (answer.content ?? '') + answer.toolCalls.map((c) => c.name + c.arguments).join('');
  const completionTokens = answer.completionTokens ?? tokens(completionText);
  const message = { role: 'assistant', content: answer.content, refusal: null };
  if (answer.toolCalls.length > 0) {
    message.tool_calls = answer.toolCalls.map((c) => ({
      id: c.id,
      type: 'function',
      function: { name: c.name, arguments: c.arguments },
    }));
  }
  return {
    scenario,
    answer,
    response: {
      id: `chatcmpl-${scenario}-${turn + 1}`,
      object: 'chat.completion',
      created: CREATED,
      model: RESPONSE_MODEL,
      system_fingerprint: 'fp_fixturegen',
      choices: [{ index: 0, message, logprobs: null, finish_reason: answer.finishReason }],
      usage: {
        prompt_tokens: promptTokens,
        completion_tokens: completionTokens,
        total_tokens: promptTokens + completionTokens,
      },
    },
  };
}

function sse(res, completion) {
  const { response } = completion;
  const base = {
    id: response.id,
    object: 'chat.completion.chunk',
    created: response.created,
    model: response.model,
    system_fingerprint: response.system_fingerprint,
  };
  const msg = response.choices[0].message;
  const chunks = [{ index: 0, delta: { role: 'assistant', content: '' }, finish_reason: null }];
  if (msg.content) {
    // two content chunks, to look like a real stream
    const half = Math.ceil(msg.content.length / 2);
    chunks.push({ index: 0, delta: { content: msg.content.slice(0, half) }, finish_reason: null });
    chunks.push({ index: 0, delta: { content: msg.content.slice(half) }, finish_reason: null });
  }
  (msg.tool_calls ?? []).forEach((tc, i) => {
    chunks.push({
      index: 0,
      delta: { tool_calls: [{ index: i, id: tc.id, type: 'function', function: { name: tc.function.name, arguments: tc.function.arguments } }] },
      finish_reason: null,
    });
  });
  chunks.push({ index: 0, delta: {}, finish_reason: response.choices[0].finish_reason });
  res.writeHead(200, { 'content-type': 'text/event-stream', 'cache-control': 'no-cache' });
  for (const c of chunks) res.write(`data: ${JSON.stringify({ ...base, choices: [c] })}\n\n`);
  res.write(`data: ${JSON.stringify({ ...base, choices: [], usage: response.usage })}\n\n`);
  res.end('data: [DONE]\n\n');
}

export function startFakeLLM({ log = () => {} } = {}) {
  const requests = [];
  const server = http.createServer((req, res) => {
    const chunks = [];
    req.on('data', (c) => chunks.push(c));
    req.on('end', () => {
      const path = req.url.split('?')[0];
      if (req.method !== 'POST' || !path.endsWith('/chat/completions')) {
        log(`fake-llm: unsupported ${req.method} ${req.url}`);
        res.writeHead(404, { 'content-type': 'application/json' });
        res.end(JSON.stringify({ error: { message: `fake server: ${req.method} ${path} not supported`, type: 'invalid_request_error' } }));
        return;
      }
      let body;
      try {
        body = JSON.parse(Buffer.concat(chunks).toString('utf8'));
      } catch (e) {
        res.writeHead(400, { 'content-type': 'application/json' });
        res.end(JSON.stringify({ error: { message: 'invalid JSON body', type: 'invalid_request_error' } }));
        return;
      }
      const completion = buildCompletion(body);
      requests.push({ body, response: completion.response });
      log(`fake-llm: ${completion.scenario} turn-> ${completion.response.id} finish=${completion.answer.finishReason} stream=${!!body.stream}`);
      if (body.stream) {
        sse(res, completion);
        return;
      }
      const out = JSON.stringify(completion.response);
      res.writeHead(200, { 'content-type': 'application/json', 'content-length': Buffer.byteLength(out) });
      res.end(out);
    });
  });
  return new Promise((resolve) => {
    server.listen(0, '127.0.0.1', () => {
      const { port } = server.address();
      resolve({
        url: `http://127.0.0.1:${port}/v1`,
        requests,
        close: () => new Promise((r) => { server.closeAllConnections?.(); server.close(() => r()); }),
      });
    });
  });
}
