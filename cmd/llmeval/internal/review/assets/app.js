// llmeval review: the page. Plain JavaScript, no framework, no build step.
// Everything a trace carries is untrusted: it is put in the page with
// textContent only, never as HTML.
"use strict";

const PAGE = 50;
const state = {
  meta: null,
  query: { sort: "score", order: "desc", status: "", failed: "", signal: "", judge: "", service: "", model: "", tag: "", q: "" },
  offset: 0,
  page: { total: 0, items: [] },
  current: null, // trace ID
  doc: null, // the open trace
  review: null, // what the reviewer gave it
  row: 0, // the chosen evaluator row
  rowName: "", // the evaluator last chosen or labelled: where the next trace starts
  raw: false,
  tags: [], // every tag in use
  view: "queue",
};

const $ = (id) => document.getElementById(id);

function el(tag, cls, text) {
  const e = document.createElement(tag);
  if (cls) e.className = cls;
  if (text !== undefined && text !== null) e.textContent = String(text);
  return e;
}

async function api(path, body) {
  const opts = body === undefined ? {} : { method: "POST", headers: { "Content-Type": "application/json" }, body: JSON.stringify(body) };
  const res = await fetch(path, opts);
  const data = await res.json().catch(() => ({}));
  if (!res.ok) throw new Error(data.error || res.statusText);
  return data;
}

function toast(msg) {
  const t = $("toast");
  t.textContent = msg;
  t.hidden = false;
  clearTimeout(toast.timer);
  toast.timer = setTimeout(() => { t.hidden = true; }, 4000);
}

function saved(what) {
  $("save-state").textContent = what + " saved to " + state.meta.labels.replace(/^.*\//, "") + (what === "label" ? "" : " / " + state.meta.notes.replace(/^.*\//, ""));
}

// ---- the queue ----

function fillSelect(id, values) {
  const s = $(id);
  for (const v of values) s.appendChild(new Option(v, v));
}

async function loadPage() {
  const p = new URLSearchParams({ offset: state.offset, limit: PAGE });
  for (const [k, v] of Object.entries(state.query)) if (v) p.set(k, v);
  state.page = await api("/api/traces?" + p);
  renderQueue();
}

function renderQueue() {
  const ol = $("items");
  ol.replaceChildren();
  for (const it of state.page.items) {
    const li = el("li");
    li.dataset.id = it.trace_id;
    if (it.reviewed) li.classList.add("reviewed");
    if (it.trace_id === state.current) li.classList.add("current");
    const score = el("span", "score" + (it.score ? "" : " zero"), fmtNum(it.score));
    score.title = it.judge_score !== undefined ? "sampler trouble score" : "failed checks + signals";
    li.append(score, el("span", "root", it.root || it.trace_id.slice(0, 12)));
    const facts = [];
    if (it.failed.length) facts.push("✗ " + it.failed.join(", "));
    if (it.signals.length) facts.push("⚑ " + it.signals.join(", "));
    if (it.judge.length) facts.push("⚖ " + it.judge.join(", "));
    if (it.errors) facts.push(it.errors + " errors");
    if (it.tags.length) facts.push("# " + it.tags.join(", "));
    if (!facts.length) facts.push((it.services[0] || "") + " " + (it.models[0] || ""));
    li.append(el("span", "facts", facts.join(" · ")));
    li.addEventListener("click", () => openTrace(it.trace_id));
    ol.appendChild(li);
  }
  const from = state.page.total ? state.offset + 1 : 0;
  $("page-info").textContent = `${from}–${state.offset + state.page.items.length} of ${state.page.total}`;
  $("prev-page").disabled = state.offset === 0;
  $("next-page").disabled = state.offset + PAGE >= state.page.total;
}

function fmtNum(n) {
  return Number.isInteger(n) ? String(n) : n.toFixed(2);
}

async function refreshProgress() {
  const m = await api("/api/modes");
  $("progress").textContent = `${m.reviewed} of ${m.traces} reviewed`;
  state.tags = m.modes.map((x) => x.tag);
  const dl = $("known-tags");
  dl.replaceChildren(...state.tags.map((t) => new Option(t)));
  const sel = $("f-tag");
  const keep = sel.value;
  sel.replaceChildren(new Option("all", ""), ...state.tags.map((t) => new Option(t, t)));
  sel.value = state.tags.includes(keep) ? keep : "";
  return m;
}

// ---- one trace ----

async function openTrace(id) {
  const data = await api("/api/traces/" + encodeURIComponent(id));
  state.current = id;
  state.doc = data.trace;
  state.review = data.state;
  state.row = Math.max(0, evaluatorRows().indexOf(state.rowName));
  history.replaceState(null, "", "#trace=" + id);
  for (const li of $("items").children) li.classList.toggle("current", li.dataset.id === id);
  const cur = $("items").querySelector("li.current");
  if (cur) cur.scrollIntoView({ block: "nearest" });
  renderTrace();
}

// ours is the trace's verdict per evaluator: fail if a step failed, else
// error, else pass; and the judge's labels per rubric.
function ours() {
  const out = {};
  const rank = { fail: 3, error: 2, pass: 1 };
  for (const st of state.doc.steps) {
    for (const v of st.verdicts) if (!out[v.name] || rank[v.verdict] > rank[out[v.name]]) out[v.name] = v.verdict;
    for (const j of st.judge) if (!out[j.name] || rank[j.label] > rank[out[j.name]]) out[j.name] = j.label;
  }
  return out;
}

function renderTrace() {
  const doc = state.doc, s = doc.summary;
  $("empty").hidden = true;
  $("trace").hidden = false;
  $("trace-root").textContent = s.root || "trace";
  $("trace-id").textContent = s.trace_id;
  const facts = $("trace-facts");
  facts.replaceChildren();
  const add = (label, v) => { if (v !== "" && v !== undefined) facts.append(el("span", null, label + ": " + v)); };
  add("trouble score", fmtNum(s.score) + (s.judge_score !== undefined ? " (sampler)" : " (checks + signals)"));
  add("spans", s.spans);
  add("services", s.services.join(", "));
  add("models", s.models.join(", "));
  add("start", s.start_unix_nano ? new Date(s.start_unix_nano / 1e6).toISOString().replace("T", " ").slice(0, 19) : "");
  if (doc.omitted_steps) add("steps left out", doc.omitted_steps);
  renderLabels();
  renderAnnotations();
  renderSteps();
  $("detail").scrollTop = 0;
}

function evaluatorRows() {
  const names = new Set(state.meta.evaluators);
  for (const n of Object.keys(state.review.labels)) names.add(n);
  for (const n of Object.keys(ours())) names.add(n);
  return [...names].sort();
}

function renderLabels() {
  const tb = $("labels").tBodies[0];
  tb.replaceChildren();
  const o = ours();
  evaluatorRows().forEach((name, i) => {
    const tr = el("tr");
    tr.dataset.evaluator = name;
    if (i === state.row) tr.classList.add("selected");
    tr.append(el("td", "key", i < 9 ? String(i + 1) : ""), el("td", null, name));
    const ourTd = el("td");
    if (o[name]) ourTd.append(el("span", "badge " + o[name], o[name]));
    else ourTd.append(el("span", "none", "—"));
    const yours = el("td");
    for (const v of ["pass", "fail"]) {
      const b = el("button", v + (state.review.labels[name] === v ? " on" : ""), v);
      b.type = "button";
      b.addEventListener("click", () => { chooseRow(i); setLabel(name, state.review.labels[name] === v ? "" : v); });
      yours.append(b);
    }
    tr.append(ourTd, yours);
    tr.addEventListener("click", () => chooseRow(i));
    tb.appendChild(tr);
  });
}

function chooseRow(i) {
  state.row = i;
  state.rowName = evaluatorRows()[i] || "";
  markRow();
}

function markRow() {
  const rows = $("labels").tBodies[0].rows;
  for (let i = 0; i < rows.length; i++) rows[i].classList.toggle("selected", i === state.row);
}

// Each change answers with the trace's state; it is shown only if the
// reviewer is still on that trace.
async function setLabel(evaluator, verdict) {
  const id = state.current;
  try {
    const st = await api(`/api/traces/${id}/label`, { evaluator, verdict });
    if (state.current !== id) return;
    state.review = st;
    saved("label");
    renderLabels();
    markReviewed();
  } catch (e) { toast("not saved: " + e.message); }
}

function markReviewed() {
  const li = $("items").querySelector(`li[data-id="${state.current}"]`);
  if (li) li.classList.toggle("reviewed", state.review.reviewed);
  refreshProgress();
}

function renderAnnotations() {
  $("note").value = state.review.note;
  renderTags();
  $("save-state").textContent = "";
}

function renderTags() {
  const box = $("tag-chips");
  box.replaceChildren();
  for (const t of state.review.tags) {
    const c = el("span", "chip", t);
    const x = el("button", null, "×");
    x.type = "button";
    x.title = "remove";
    x.addEventListener("click", () => setTags(state.review.tags.filter((y) => y !== t)));
    c.append(x);
    box.append(c);
  }
}

async function saveNote() {
  const note = $("note").value;
  const id = state.current;
  if (!id || note.trim() === state.review.note) return;
  try {
    const st = await api(`/api/traces/${id}/note`, { note });
    if (state.current !== id) return;
    state.review = st;
    saved("note");
    markReviewed();
  } catch (e) { toast("note not saved: " + e.message); }
}

async function setTags(tags) {
  const id = state.current;
  try {
    const st = await api(`/api/traces/${id}/tags`, { tags });
    if (state.current !== id) return;
    state.review = st;
    saved("tags");
    renderTags();
    markReviewed();
  } catch (e) { toast("tags not saved: " + e.message); }
}

// ---- the conversation ----

function renderSteps() {
  const box = $("steps");
  box.replaceChildren();
  let seen = 0; // input messages already shown by an earlier model call
  for (const st of state.doc.steps) {
    const card = el("div", "step" + (st.error ? " error" : ""));
    const main = el("div", "main");
    main.style.marginLeft = Math.min(st.depth, 8) * 0.9 + "rem";
    const head = el("div", "step-head");
    head.append(el("span", "op", st.operation || st.kind.replace(/^Span_Kind_/i, "").toLowerCase()), el("span", "name", st.name));
    const meta = [];
    if (st.tool) meta.push("tool " + st.tool);
    if (st.model) meta.push(st.model);
    meta.push(fmtMS(st.duration_ms));
    if (st.usage) meta.push(`${st.usage.input}→${st.usage.output} tokens`);
    if (st.service) meta.push(st.service);
    head.append(el("span", "meta", meta.join(" · ")));
    main.append(head);
    if (st.error) main.append(el("div", "errorline", "error" + (st.error_message ? ": " + st.error_message : "")));
    if (st.hidden && st.hidden.length) main.append(el("div", "hidden-note", `hidden by judge.redact (start with --show-redacted to see): ${st.hidden.join(", ")}`));
    if (st.system) {
      const d = el("details");
      d.append(el("summary", null, "system instructions"), el("div", "text", st.system));
      main.append(d);
    }
    const input = st.input || [];
    const nonSystem = input.filter((m) => m.role !== "system" && m.role !== "developer");
    if (nonSystem.length) {
      // A model call resends the conversation: show what is new since the
      // previous call, the rest folded.
      const from = st.input_from || 0, total = from + input.length;
      const cut = seen > 0 && seen < total ? Math.max(0, seen - from) : 0;
      if (cut + from > 0) {
        const d = el("details");
        d.append(el("summary", null, `${cut + from} earlier messages`));
        for (const m of input.slice(0, cut)) d.append(message(m));
        main.append(d);
      }
      for (const m of input.slice(cut)) if (m.role !== "system" && m.role !== "developer") main.append(message(m));
      seen = total;
    }
    for (const m of st.output || []) main.append(message(m, true));
    if (st.tool_call) {
      main.append(el("div", "toolcall", `${st.tool_call.name || "tool"}(…)`));
      main.append(el("pre", null, pretty(st.tool_call.arguments || "")));
    }
    if (st.tool_result !== undefined && st.tool_result !== null) {
      main.append(el("div", "role", "result"), el("pre", null, pretty(st.tool_result)));
    }
    if (st.decode_error) main.append(el("div", "decode", "could not read: " + st.decode_error));
    const raw = el("details", "raw");
    raw.open = state.raw;
    raw.append(el("summary", null, `raw attributes (${st.attributes.length}) and resource`));
    raw.append(kvTable(st.attributes), kvTable(st.resource));
    for (const ev of st.events || []) raw.append(el("div", "meta", "event " + ev.name), kvTable(ev.attributes));
    main.append(raw);
    card.append(main, side(st));
    box.append(card);
  }
}

function side(st) {
  const s = el("div", "side");
  for (const v of st.verdicts) {
    const b = el("span", "badge " + v.verdict);
    b.append(el("b", null, v.name), document.createTextNode(" " + v.verdict + (v.score !== undefined ? " (" + fmtNum(v.score) + ")" : "")));
    if (v.reason) b.append(el("span", "why", v.reason));
    s.append(b);
  }
  for (const g of st.signals) {
    const b = el("span", "badge signal");
    b.append(el("b", null, "⚑ " + g.category), document.createTextNode(` ×${g.count} severity ${g.severity}`));
    if (g.kinds && g.kinds.length) b.append(el("span", "why", g.kinds.join(", ")));
    s.append(b);
  }
  for (const j of st.judge) {
    const b = el("span", "badge judge");
    b.append(el("b", null, "⚖ " + j.name), document.createTextNode(" " + j.label + (j.score !== undefined ? " (" + fmtNum(j.score) + ")" : "")));
    if (j.explanation) b.append(el("span", "why", j.explanation));
    s.append(b);
  }
  if (!s.children.length) s.append(el("span", "none", "no verdicts"));
  return s;
}

function message(m, output) {
  const d = el("div", "msg " + m.role);
  d.append(el("div", "role", m.role + (output ? " (output)" : "") + (m.finish_reason ? " · " + m.finish_reason : "")));
  if (m.text) d.append(el("div", "text", m.text));
  for (const c of m.tool_calls || []) {
    d.append(el("div", "toolcall", `→ ${c.name}`), el("pre", null, pretty(c.arguments || "")));
  }
  for (const r of m.tool_results || []) {
    d.append(el("div", "toolcall", `← ${r.name || r.id || "result"}`), el("pre", null, pretty(r.content)));
  }
  return d;
}

function pretty(s) {
  try { return JSON.stringify(JSON.parse(s), null, 2); } catch { return s; }
}

function fmtMS(ms) {
  return ms >= 1000 ? (ms / 1000).toFixed(2) + " s" : Math.round(ms) + " ms";
}

function kvTable(list) {
  const t = el("table", "raw");
  for (const a of list) {
    const tr = el("tr");
    tr.append(el("td", null, a.key), el("td", null, a.value));
    t.append(tr);
  }
  return t;
}

// ---- moving through the queue ----

async function step(delta) {
  const items = state.page.items;
  let i = items.findIndex((x) => x.trace_id === state.current) + delta;
  if (i >= items.length && state.offset + PAGE < state.page.total) {
    state.offset += PAGE;
    await loadPage();
    i = 0;
  } else if (i < 0 && state.offset > 0) {
    state.offset = Math.max(0, state.offset - PAGE);
    await loadPage();
    i = state.page.items.length - 1;
  }
  i = Math.max(0, Math.min(i, state.page.items.length - 1));
  if (state.page.items[i]) await openTrace(state.page.items[i].trace_id);
}

async function nextUnreviewed() {
  const items = state.page.items;
  const at = items.findIndex((x) => x.trace_id === state.current);
  const next = items.find((x, i) => i > at && !x.reviewed);
  if (next) return openTrace(next.trace_id);
  const p = new URLSearchParams({ status: "unreviewed", limit: 1, sort: state.query.sort, order: state.query.order });
  const r = await api("/api/traces?" + p);
  if (r.items.length) return openTrace(r.items[0].trace_id);
  toast("every trace is reviewed");
}

// ---- failure modes ----

async function renderModes() {
  const m = await refreshProgress();
  $("modes-summary").textContent = `${m.reviewed} reviewed traces of ${m.traces}; ${m.untagged} reviewed without a tag.`;
  const tb = $("modes-table").tBodies[0];
  tb.replaceChildren();
  for (const mode of m.modes) {
    const tr = el("tr");
    tr.dataset.tag = mode.tag;
    const share = el("td");
    const bar = el("span", "bar");
    bar.style.width = Math.round(mode.share * 160) + "px";
    share.append(bar, document.createTextNode((mode.share * 100).toFixed(1) + "%"));
    const ex = el("td");
    for (const e of mode.examples) {
      const a = el("a", "ex", e.trace_id.slice(0, 16) + (e.note ? " — " : ""));
      a.append(el("span", null, e.note || ""));
      a.addEventListener("click", () => { show("queue"); openTrace(e.trace_id); });
      ex.append(a);
    }
    tr.append(el("td", "tag", mode.tag), el("td", "count", mode.count), share, ex);
    tb.append(tr);
  }
  $("merge-from").replaceChildren(...m.modes.map((x) => new Option(`${x.tag} (${x.count})`, x.tag)));
}

function show(view) {
  state.view = view;
  $("queue-view").hidden = view !== "queue";
  $("modes-view").hidden = view !== "modes";
  $("tab-queue").classList.toggle("active", view === "queue");
  $("tab-modes").classList.toggle("active", view === "modes");
  if (view === "modes") renderModes();
  else {
    // Tags may have been renamed: the queue and the trace are read again.
    loadPage();
    if (state.current) openTrace(state.current);
  }
}

// ---- keyboard ----

function onKey(e) {
  if (e.ctrlKey || e.metaKey || e.altKey) return;
  const t = e.target;
  if (t && (t.tagName === "INPUT" || t.tagName === "TEXTAREA" || t.tagName === "SELECT")) return;
  const k = e.key;
  if (k === "?") { $("help").hidden = !$("help").hidden; return; }
  if (k === "m") { show(state.view === "modes" ? "queue" : "modes"); return; }
  if (k === "Escape") { $("help").hidden = true; return; }
  if (state.view !== "queue") return;
  if (k === "/") { e.preventDefault(); $("f-q").focus(); return; }
  if (k === "j") { step(1); return; }
  if (k === "k") { step(-1); return; }
  if (k === "u") { nextUnreviewed(); return; }
  if (!state.doc) return;
  const rows = evaluatorRows();
  if (k >= "1" && k <= "9") {
    const i = Number(k) - 1;
    if (i < rows.length) chooseRow(i);
    return;
  }
  if (k === "ArrowDown" || k === "ArrowUp") {
    e.preventDefault();
    chooseRow(Math.max(0, Math.min(rows.length - 1, state.row + (k === "ArrowDown" ? 1 : -1))));
    return;
  }
  if (k === "p" || k === "f" || k === "x") {
    const name = rows[state.row];
    if (!name) return;
    state.rowName = name;
    state.row = Math.min(state.row + 1, rows.length - 1);
    markRow();
    setLabel(name, k === "p" ? "pass" : k === "f" ? "fail" : "");
    return;
  }
  // n and t move to a field on key up, so the key itself is not typed
  // into it.
  if (k === "n" || k === "t") { e.preventDefault(); return; }
  if (k === "r") {
    state.raw = !state.raw;
    for (const d of document.querySelectorAll("details.raw")) d.open = state.raw;
  }
}

// ---- start ----

async function start() {
  state.meta = await api("/api/meta");
  const f = state.meta.facets;
  fillSelect("f-failed", f.evaluators);
  fillSelect("f-signal", f.signals);
  fillSelect("f-service", f.services);
  fillSelect("f-model", f.models);
  for (const r of f.rubrics) for (const l of ["fail", "pass"]) $("f-judge").appendChild(new Option(`${r}: ${l}`, `${r}:${l}`));
  if (state.meta.redacted) $("redaction").textContent = "content hidden by judge.redact";
  if (state.meta.bad_lines) toast(`${state.meta.bad_lines} lines of the files could not be read (see the terminal)`);

  const ids = { sort: "f-sort", order: "f-order", status: "f-status", failed: "f-failed", signal: "f-signal", judge: "f-judge", service: "f-service", model: "f-model", tag: "f-tag" };
  for (const [key, id] of Object.entries(ids)) {
    $(id).addEventListener("change", () => { state.query[key] = $(id).value; state.offset = 0; loadPage(); });
  }
  $("f-q").addEventListener("input", () => { state.query.q = $("f-q").value.trim(); state.offset = 0; loadPage(); });
  $("f-q").addEventListener("keydown", (e) => { if (e.key === "Escape" || e.key === "Enter") { e.preventDefault(); $("f-q").blur(); } });
  $("filters").addEventListener("submit", (e) => e.preventDefault());
  $("prev-page").addEventListener("click", () => { state.offset = Math.max(0, state.offset - PAGE); loadPage(); });
  $("next-page").addEventListener("click", () => { state.offset += PAGE; loadPage(); });
  $("tab-queue").addEventListener("click", () => show("queue"));
  $("tab-modes").addEventListener("click", () => show("modes"));
  $("help-btn").addEventListener("click", () => { $("help").hidden = !$("help").hidden; });

  const note = $("note");
  note.addEventListener("blur", saveNote);
  note.addEventListener("keydown", (e) => {
    if (e.key === "Escape" || (e.key === "Enter" && (e.ctrlKey || e.metaKey))) { e.preventDefault(); note.blur(); }
  });
  const tagIn = $("tag-input");
  tagIn.addEventListener("keydown", (e) => {
    if (e.key === "Enter") {
      e.preventDefault();
      const v = tagIn.value.trim();
      tagIn.value = "";
      if (v && !state.review.tags.includes(v)) setTags([...state.review.tags, v]);
    } else if (e.key === "Escape") {
      e.preventDefault();
      tagIn.blur();
    }
  });
  $("merge").addEventListener("submit", async (e) => {
    e.preventDefault();
    const from = $("merge-from").value, to = $("merge-to").value.trim();
    if (!from || !to) return;
    try {
      await api("/api/modes/rename", { from, to });
      $("merge-to").value = "";
      renderModes();
    } catch (err) { toast(err.message); }
  });
  document.addEventListener("keydown", onKey);
  document.addEventListener("keyup", (e) => {
    const t = e.target;
    if (e.ctrlKey || e.metaKey || e.altKey || state.view !== "queue" || !state.doc) return;
    if (t && (t.tagName === "INPUT" || t.tagName === "TEXTAREA" || t.tagName === "SELECT")) return;
    if (e.key === "n") $("note").focus();
    if (e.key === "t") $("tag-input").focus();
  });

  await loadPage();
  await refreshProgress();
  const m = /#trace=([0-9a-f]{32})/.exec(location.hash);
  if (m) return openTrace(m[1]);
  const first = state.page.items.find((x) => !x.reviewed) || state.page.items[0];
  if (first) await openTrace(first.trace_id);
}

start().catch((e) => toast("could not load: " + e.message));
