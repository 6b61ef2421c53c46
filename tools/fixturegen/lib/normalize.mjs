// Merging and normalization of captured OTLP/JSON trace export requests.
//
// mergeRequests: all request bodies of one producer run become one
//   ExportTraceServiceRequest. ResourceSpans with the same resource and
//   ScopeSpans with the same scope (name, version, attributes) are merged;
//   spans keep the order in which the producer exported them.
//
// normalize: makes a fixture byte-stable across runs without changing its
//   shape. Only these things are rewritten (see README.md, "Normalization"):
//   - traceId / spanId / parentSpanId / link ids: replaced by ids derived
//     from sha256("<producer>/<scenario>/trace|span/<n>"), n = rank of first
//     appearance in the span-tree walk described below (parents before children,
//     siblings by original start time). Parent links stay
//     consistent (the same mapping is applied everywhere).
//   - timestamps (span start/end, event times): rewritten by a walk of the
//     span tree, BASE_NS + tick * STEP_NS, one tick per span start, span end
//     and event. Parent/child nesting and the order of siblings (by original
//     start time) are kept; absolute times and real durations are not.
//   - double attributes whose key ends in ".duration" (e.g.
//     gen_ai.client.operation.duration): set to the span's normalized
//     duration in seconds.
//   - the fake model server's ephemeral port: `server.port` values equal to it
//     and "127.0.0.1:<port>" inside strings become FIXED_PORT.
//   - absolute paths of this tool's directory inside strings (exception
//     stack traces) become /app.
import { createHash } from 'node:crypto';

export const BASE_NS = 1767225600000000000n; // 2026-01-01T00:00:00Z
export const STEP_NS = 10_000_000n; // 10 ms between consecutive distinct instants
export const FIXED_PORT = 8080;

const canon = (v) => JSON.stringify(v ?? null);

export function mergeRequests(bodies) {
  const resourceSpans = [];
  for (const body of bodies) {
    for (const rs of body.resourceSpans ?? []) {
      let target = resourceSpans.find(
        (t) => canon(t.resource) === canon(rs.resource) && (t.schemaUrl ?? '') === (rs.schemaUrl ?? ''),
      );
      if (!target) {
        target = { ...rs, scopeSpans: [] };
        resourceSpans.push(target);
      }
      for (const ss of rs.scopeSpans ?? []) {
        let scope = target.scopeSpans.find(
          (t) => canon(t.scope) === canon(ss.scope) && (t.schemaUrl ?? '') === (ss.schemaUrl ?? ''),
        );
        if (!scope) {
          scope = { ...ss, spans: [] };
          target.scopeSpans.push(scope);
        }
        scope.spans.push(...(ss.spans ?? []));
      }
    }
  }
  return { resourceSpans };
}

const hex = (s, n) => createHash('sha256').update(s).digest('hex').slice(0, n);

function mapStrings(value, fn) {
  if (value == null || typeof value !== 'object') return value;
  if (typeof value.stringValue === 'string') return { ...value, stringValue: fn(value.stringValue) };
  if (value.arrayValue) {
    return { arrayValue: { values: (value.arrayValue.values ?? []).map((v) => mapStrings(v, fn)) } };
  }
  if (value.kvlistValue) {
    return {
      kvlistValue: {
        values: (value.kvlistValue.values ?? []).map((kv) => ({ ...kv, value: mapStrings(kv.value, fn) })),
      },
    };
  }
  return value;
}

export function normalize(request, { producer, scenario, llmPort, toolDir }) {
  const out = structuredClone(request);
  const spans = [];
  for (const rs of out.resourceSpans) for (const ss of rs.scopeSpans) for (const s of ss.spans) spans.push(s);

  // --- times: a walk of the span tree. Siblings (child spans and the span's
  // own events) are visited in original time order (ties: export order); each
  // visit step is one tick. Every child is nested in its parent, and spans
  // that were sequential stay sequential, whatever the clock resolution of
  // the producer (the AI SDK starts some spans with millisecond Date values).
  const byId = new Map(spans.map((s) => [s.spanId, s]));
  const index = new Map(spans.map((s, i) => [s, i]));
  const children = new Map();
  const roots = [];
  for (const s of spans) {
    if (s.parentSpanId && byId.has(s.parentSpanId)) {
      if (!children.has(s.parentSpanId)) children.set(s.parentSpanId, []);
      children.get(s.parentSpanId).push(s);
    } else {
      roots.push(s);
    }
  }
  const at = (item) => BigInt(item.kind === 'event' ? item.event.timeUnixNano : item.span.startTimeUnixNano);
  const bySeq = (a, b) => {
    const d = at(a) - at(b);
    return d < 0n ? -1 : d > 0n ? 1 : a.order - b.order;
  };
  const newTimes = new Map(); // span -> {start, end}; event -> time
  let tick = 0n;
  const next = () => String(BASE_NS + tick++ * STEP_NS);
  const visited = [];
  const visit = (span) => {
    visited.push(span);
    const start = next();
    const items = [
      ...(children.get(span.spanId) ?? []).map((c) => ({ kind: 'span', span: c, order: index.get(c) })),
      ...(span.events ?? []).map((e, i) => ({ kind: 'event', event: e, order: -1000 + i })),
    ].sort(bySeq);
    for (const item of items) {
      if (item.kind === 'span') visit(item.span);
      else newTimes.set(item.event, next());
    }
    newTimes.set(span, { start, end: next() });
  };
  roots
    .map((s) => ({ kind: 'span', span: s, order: index.get(s) }))
    .sort(bySeq)
    .forEach((item) => visit(item.span));

  // --- ids, in the order of the walk above
  const traceIds = new Map();
  const spanIds = new Map();
  const traceId = (id) => {
    if (!id) return id;
    if (!traceIds.has(id)) traceIds.set(id, hex(`${producer}/${scenario}/trace/${traceIds.size}`, 32));
    return traceIds.get(id);
  };
  const spanId = (id) => {
    if (!id) return id;
    if (!spanIds.has(id)) spanIds.set(id, hex(`${producer}/${scenario}/span/${spanIds.size}`, 16));
    return spanIds.get(id);
  };
  for (const s of visited) {
    traceId(s.traceId);
    spanId(s.spanId);
  }

  // --- strings
  const fixString = (str) => {
    let r = str;
    if (llmPort) r = r.split(`127.0.0.1:${llmPort}`).join(`127.0.0.1:${FIXED_PORT}`);
    if (toolDir) r = r.split(toolDir).join('/app');
    return r;
  };
  const fixAttrs = (attrs, durationSeconds) =>
    (attrs ?? []).map((a) => {
      let value = mapStrings(a.value, fixString);
      if (a.key === 'server.port' && llmPort && Number(value?.intValue) === llmPort) {
        value = { intValue: FIXED_PORT };
      }
      if (durationSeconds != null && a.key.endsWith('.duration') && value && 'doubleValue' in value) {
        value = { doubleValue: durationSeconds };
      }
      return { ...a, value };
    });

  for (const rs of out.resourceSpans) {
    if (rs.resource) rs.resource.attributes = fixAttrs(rs.resource.attributes);
    for (const ss of rs.scopeSpans) {
      for (const s of ss.spans) {
        const { start, end } = newTimes.get(s);
        const seconds = Number(BigInt(end) - BigInt(start)) / 1e9;
        s.traceId = traceId(s.traceId);
        s.spanId = spanId(s.spanId);
        if (s.parentSpanId) s.parentSpanId = spanId(s.parentSpanId);
        s.startTimeUnixNano = start;
        s.endTimeUnixNano = end;
        s.attributes = fixAttrs(s.attributes, seconds);
        for (const e of s.events ?? []) {
          e.timeUnixNano = newTimes.get(e);
          e.attributes = fixAttrs(e.attributes);
        }
        for (const l of s.links ?? []) {
          l.traceId = traceId(l.traceId);
          l.spanId = spanId(l.spanId);
          l.attributes = fixAttrs(l.attributes);
        }
        if (s.status?.message) s.status.message = fixString(s.status.message);
      }
    }
  }
  return out;
}
