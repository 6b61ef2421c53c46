// A fake model server on 127.0.0.1 speaking OpenAI Chat Completions, OpenAI
// Responses and Gemini generateContent (see startFakeLLM), JSON or SSE.
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

// ---- OpenAI Responses API (POST /v1/responses) ----

// responsesTurn counts the model turns already in a Responses input: runs of
// consecutive function_call / assistant message items count as one turn.
function responsesTurn(input) {
  let turns = 0;
  let inTurn = false;
  for (const it of input) {
    const model = it.type === 'function_call' || (it.role === 'assistant');
    if (model && !inTurn) turns++;
    inTurn = model;
  }
  return turns;
}

function responsesText(content) {
  if (typeof content === 'string') return content;
  if (Array.isArray(content)) return content.map((p) => (typeof p === 'string' ? p : p.text ?? '')).join('');
  return '';
}

export function buildResponse(body) {
  const input = typeof body.input === 'string' ? [{ role: 'user', content: body.input }] : Array.isArray(body.input) ? body.input : [];
  const lastUser = [...input].reverse().find((m) => m.role === 'user');
  const marker = /\[scenario=([a-z_]+)\]/.exec(responsesText(lastUser?.content ?? ''));
  const scenario = marker ? marker[1] : 'unknown';
  const turn = responsesTurn(input);
  const answer = scriptedAnswer(scenario, turn);
  const id = `resp_${scenario}_${turn + 1}`;
  const output = [];
  if (answer.content != null) {
    output.push({
      type: 'message',
      id: `msg_${scenario}_${turn + 1}`,
      status: 'completed',
      role: 'assistant',
      content: [{ type: 'output_text', text: answer.content, annotations: [] }],
    });
  }
  answer.toolCalls.forEach((c, i) => {
    output.push({ type: 'function_call', id: `fc_${scenario}_${turn + 1}_${i}`, call_id: c.id, name: c.name, arguments: c.arguments, status: 'completed' });
  });
  const inputTokens = tokens(JSON.stringify(input) + (body.instructions ?? '') + JSON.stringify(body.tools ?? []));
  const outputTokens = answer.completionTokens ?? tokens((answer.content ?? '') + answer.toolCalls.map((c) => c.name + c.arguments).join(''));
  return {
    scenario,
    answer,
    response: {
      id,
      object: 'response',
      created_at: CREATED,
      status: answer.finishReason === 'length' ? 'incomplete' : 'completed',
      incomplete_details: answer.finishReason === 'length' ? { reason: 'max_output_tokens' } : null,
      error: null,
      model: RESPONSE_MODEL,
      instructions: body.instructions ?? null,
      output,
      parallel_tool_calls: true,
      temperature: body.temperature ?? null,
      tool_choice: body.tool_choice ?? 'auto',
      tools: body.tools ?? [],
      usage: {
        input_tokens: inputTokens,
        input_tokens_details: { cached_tokens: 0 },
        output_tokens: outputTokens,
        output_tokens_details: { reasoning_tokens: 0 },
        total_tokens: inputTokens + outputTokens,
      },
    },
  };
}

function responsesSSE(res, { response }) {
  let seq = 0;
  const ev = (type, data) => res.write(`event: ${type}\ndata: ${JSON.stringify({ type, sequence_number: seq++, ...data })}\n\n`);
  res.writeHead(200, { 'content-type': 'text/event-stream', 'cache-control': 'no-cache' });
  ev('response.created', { response: { ...response, status: 'in_progress', output: [], usage: null } });
  response.output.forEach((item, i) => {
    if (item.type === 'message') {
      ev('response.output_item.added', { output_index: i, item: { ...item, status: 'in_progress', content: [] } });
      const text = item.content[0].text;
      ev('response.content_part.added', { output_index: i, item_id: item.id, content_index: 0, part: { type: 'output_text', text: '', annotations: [] } });
      const half = Math.ceil(text.length / 2);
      for (const delta of [text.slice(0, half), text.slice(half)]) {
        ev('response.output_text.delta', { output_index: i, item_id: item.id, content_index: 0, delta });
      }
      ev('response.output_text.done', { output_index: i, item_id: item.id, content_index: 0, text });
      ev('response.content_part.done', { output_index: i, item_id: item.id, content_index: 0, part: item.content[0] });
    } else {
      ev('response.output_item.added', { output_index: i, item: { ...item, status: 'in_progress', arguments: '' } });
      ev('response.function_call_arguments.delta', { output_index: i, item_id: item.id, delta: item.arguments });
      ev('response.function_call_arguments.done', { output_index: i, item_id: item.id, arguments: item.arguments });
    }
    ev('response.output_item.done', { output_index: i, item });
  });
  ev(response.status === 'incomplete' ? 'response.incomplete' : 'response.completed', { response });
  res.end();
}

// ---- Gemini generateContent (POST /v1beta/models/<model>:generateContent) ----

const GEMINI_MODEL = 'gemini-2.5-flash';

export function buildGeminiResponse(body) {
  const contents = Array.isArray(body.contents) ? body.contents : [];
  const userText = (c) => (c.parts ?? []).map((p) => p.text ?? '').join('');
  const lastUser = [...contents].reverse().find((c) => c.role === 'user' && /\[scenario=/.test(userText(c)));
  const marker = /\[scenario=([a-z_]+)\]/.exec(lastUser ? userText(lastUser) : '');
  const scenario = marker ? marker[1] : 'unknown';
  const turn = contents.filter((c) => c.role === 'model').length;
  const answer = scriptedAnswer(scenario, turn);
  const parts = [];
  if (answer.content != null) parts.push({ text: answer.content });
  for (const c of answer.toolCalls) {
    let args;
    try {
      args = JSON.parse(c.arguments);
    } catch {
      args = {};
    }
    parts.push({ functionCall: { id: c.id, name: c.name, args } });
  }
  const prompt = tokens(JSON.stringify(contents) + JSON.stringify(body.systemInstruction ?? '') + JSON.stringify(body.tools ?? []));
  const out = answer.completionTokens ?? tokens(JSON.stringify(parts));
  return {
    scenario,
    answer,
    response: {
      candidates: [{ content: { role: 'model', parts }, finishReason: answer.finishReason === 'length' ? 'MAX_TOKENS' : 'STOP', index: 0 }],
      usageMetadata: { promptTokenCount: prompt, candidatesTokenCount: out, totalTokenCount: prompt + out },
      modelVersion: GEMINI_MODEL,
      responseId: `gemini-${scenario}-${turn + 1}`,
    },
  };
}

function json(res, status, obj) {
  const out = JSON.stringify(obj);
  res.writeHead(status, { 'content-type': 'application/json', 'content-length': Buffer.byteLength(out) });
  res.end(out);
}

// startFakeLLM serves, on 127.0.0.1:
//   POST /v1/chat/completions                       OpenAI Chat Completions (JSON or SSE)
//   POST /v1/responses                              OpenAI Responses (JSON or SSE)
//   POST /v1beta/models/<m>:generateContent         Gemini (JSON)
//   POST /v1beta/models/<m>:streamGenerateContent   Gemini (SSE with alt=sse, else a JSON array)
export function startFakeLLM({ log = () => {} } = {}) {
  const requests = [];
  const server = http.createServer((req, res) => {
    const chunks = [];
    req.on('data', (c) => chunks.push(c));
    req.on('end', () => {
      const path = req.url.split('?')[0];
      let kind = null;
      if (req.method === 'POST' && path.endsWith('/chat/completions')) kind = 'chat';
      else if (req.method === 'POST' && path.endsWith('/responses')) kind = 'responses';
      else if (req.method === 'POST' && path.endsWith(':generateContent')) kind = 'gemini';
      else if (req.method === 'POST' && path.endsWith(':streamGenerateContent')) kind = 'gemini-stream';
      if (!kind) {
        log(`fake-llm: unsupported ${req.method} ${req.url}`);
        json(res, 404, { error: { message: `fake server: ${req.method} ${path} not supported`, type: 'invalid_request_error' } });
        return;
      }
      let body;
      try {
        body = JSON.parse(Buffer.concat(chunks).toString('utf8'));
      } catch (e) {
        json(res, 400, { error: { message: 'invalid JSON body', type: 'invalid_request_error' } });
        return;
      }
      if (kind === 'responses') {
        const r = buildResponse(body);
        requests.push({ kind, body, response: r.response });
        log(`fake-llm: responses ${r.scenario} -> ${r.response.id} stream=${!!body.stream}`);
        if (body.stream) responsesSSE(res, r);
        else json(res, 200, r.response);
        return;
      }
      if (kind.startsWith('gemini')) {
        const r = buildGeminiResponse(body);
        requests.push({ kind, body, response: r.response });
        log(`fake-llm: gemini ${r.scenario} -> ${r.response.responseId}`);
        if (kind === 'gemini') json(res, 200, r.response);
        else if (req.url.includes('alt=sse')) {
          res.writeHead(200, { 'content-type': 'text/event-stream' });
          res.end(`data: ${JSON.stringify(r.response)}\r\n\r\n`);
        } else json(res, 200, [r.response]);
        return;
      }
      const completion = buildCompletion(body);
      requests.push({ kind, body, response: completion.response });
      log(`fake-llm: ${completion.scenario} turn-> ${completion.response.id} finish=${completion.answer.finishReason} stream=${!!body.stream}`);
      if (body.stream) {
        sse(res, completion);
        return;
      }
      json(res, 200, completion.response);
    });
  });
  // Clients keep connections alive between the calls of a scenario; a short
  // server keep-alive races them ("other side closed").
  server.keepAliveTimeout = 120_000;
  return new Promise((resolve) => {
    server.listen(0, '127.0.0.1', () => {
      const { port } = server.address();
      resolve({
        url: `http://127.0.0.1:${port}/v1`,
        baseUrl: `http://127.0.0.1:${port}`,
        requests,
        close: () => new Promise((r) => { server.closeAllConnections?.(); server.close(() => r()); }),
      });
    });
  });
}
