"use strict";
// The advisor page. Every text from the server or the person is set with textContent, never
// parsed as HTML; each message carries its language and direction.

const conversation = document.getElementById("conversation");
const MARKERS = { yes: "✔", no: "✘", caution: "⚠", info: "ℹ" };

// Each tab is a conversation of its own: follow-ups ("and on Instagram?") lean on this tab's
// questions, not another tab's. sessionStorage keeps the id across reloads of the tab.
const CONVERSATION_KEY = "advisor-conversation";

function newId() {
  // randomUUID needs a secure context; a page served over plain http on the network is not one.
  if (crypto.randomUUID) return crypto.randomUUID();
  return Array.from(crypto.getRandomValues(new Uint8Array(16)), (b) => b.toString(16).padStart(2, "0")).join("");
}

function keep(id) {
  try { sessionStorage.setItem(CONVERSATION_KEY, id); } catch { /* storage off: the id lasts until reload */ }
  return id;
}

function stored() {
  try { return sessionStorage.getItem(CONVERSATION_KEY); } catch { return null; }
}

let conversationId = stored() || keep(newId());

function el(tag, props, ...children) {
  const node = document.createElement(tag);
  for (const [key, value] of Object.entries(props || {})) {
    if (key === "class") node.className = value;
    else if (key === "on") for (const [event, handler] of Object.entries(value)) node.addEventListener(event, handler);
    else if (value !== null && value !== undefined) node.setAttribute(key, value);
  }
  for (const child of children.flat()) {
    if (child === null || child === undefined) continue;
    node.append(typeof child === "string" ? document.createTextNode(child) : child);
  }
  return node;
}

async function call(path, body) {
  const response = await fetch(path, {
    method: body === undefined ? "GET" : "POST",
    headers: body === undefined ? {} : { "Content-Type": "application/json" },
    body: body === undefined ? undefined : JSON.stringify(body),
  });
  const data = await response.json();
  if (!response.ok) throw new Error(data.error || response.statusText);
  return data;
}

function show(node) {
  conversation.append(node);
  node.scrollIntoView({ block: "end" });
}

function failure(error) {
  show(el("div", { class: "message error", role: "alert" }, String(error.message || error)));
}

function button(label, handler, kind) {
  return el("button", { type: "button", class: kind || "", dir: "auto", on: { click: handler } }, label);
}

function offers(view) {
  const row = el("div", { class: "actions" });
  const next = [...view.suggestions, ...(view.checklist ? [view.checklist] : [])];
  for (const option of next) {
    row.append(button(option.title, () => pick(option, null, view.lang), option.kind === "checklist" ? "checklist" : "topic"));
  }
  return next.length ? row : null;
}

function feedback(view) {
  if (view.outcome !== "answered" || !view.topic || view.steps || view.missed.length) return null;
  const row = el("div", { class: "feedback" });
  const send = (helpful) => async () => {
    try {
      await call("/api/feedback", { question_id: view.id, helpful });
      row.replaceChildren(el("span", { class: "thanks" }, view.labels.thanks_feedback));
    } catch (error) { failure(error); }
  };
  row.append(button(view.labels.helpful, send(true), "helpful"), button(view.labels.not_helpful, send(false), "not-helpful"));
  return row;
}

function checklist(view) {
  const steps = view.steps;
  const form = el("form", { class: "checklist" });
  for (const section of steps.sections) {
    const fieldset = el("fieldset", {}, section.title ? el("legend", {}, section.title) : null);
    for (const item of section.items) {
      const id = `item-${view.id}-${item.id}`;
      fieldset.append(el("div", { class: "item" },
        el("input", { type: "checkbox", id, value: item.id }),
        el("label", { for: id }, item.text)));
    }
    form.append(fieldset);
  }
  form.append(el("button", { type: "submit", class: "done" }, view.labels.done));
  form.addEventListener("submit", async (event) => {
    event.preventDefault();
    const ticked = [...form.querySelectorAll("input:checked")].map((box) => box.value);
    form.querySelector("button.done").disabled = true;
    try {
      render(await call(`/api/checklists/${encodeURIComponent(steps.id)}/done`, { ticked, lang: steps.lang }));
    } catch (error) { failure(error); }
  });
  return form;
}

function render(view) {
  const dir = view.lang === "he" ? "rtl" : "ltr";
  const box = el("article", { class: "message answer", lang: view.lang, dir, "data-outcome": view.outcome,
    "data-question": view.question, "data-id": view.id, "data-label": view.labels.ask_owner || "" });
  if (view.verdict) {
    box.append(el("h2", { class: `verdict verdict-${view.verdict}` },
      el("span", { class: "marker", "aria-hidden": "true" }, MARKERS[view.verdict]), " ",
      view.verdict_label, view.title ? ` · ${view.title}` : ""));
  } else if (view.title) {
    box.append(el("h2", {}, view.title));
  }
  box.append(el("p", { class: "text" }, view.text));
  if (view.missed.length) {
    box.append(el("ul", { class: "missed" }, view.missed.map((item) =>
      el("li", {}, el("strong", {}, item.text), el("span", { class: "why" }, item.why)))));
  }
  if (view.steps) box.append(checklist(view));
  if (view.source_label) box.append(el("p", { class: "source" }, view.source_label));
  if (view.outcome === "clarify") {
    const row = el("div", { class: "actions options" });
    for (const option of view.options) row.append(button(option.title, () => pick(option, view.id, view.lang), option.kind));
    if (view.options.length && view.options[0].kind === "topic") {
      row.append(button(view.labels.none_of_these, async () => {
        try {
          await call("/api/feedback", { question_id: view.id, picked: "none" });
          row.replaceChildren(el("span", { class: "thanks" }, view.labels.thanks_feedback));
        } catch (error) { failure(error); }
      }, "none"));
    }
    box.append(row);
  } else {
    box.append(feedback(view) || "", offers(view) || "");
  }
  show(box);
}

// An answer that comes back after "New conversation" belongs to the one that was left.
async function answer(request) {
  const asked = conversationId;
  try {
    const view = await request(asked);
    if (asked === conversationId) render(view);
  } catch (error) {
    if (asked === conversationId) failure(error);
  }
}

function pick(option, replyTo, lang) {
  if (option.kind === "checklist") {
    return answer(() => call(`/api/checklists/${encodeURIComponent(option.id)}?lang=${lang}`));
  }
  return answer((id) => call("/api/topic", { topic: option.id, reply_to: replyTo, lang, conversation: id }));
}

document.getElementById("ask").addEventListener("submit", async (event) => {
  event.preventDefault();
  const input = document.getElementById("question");
  const question = input.value.trim();
  if (!question) return;
  input.value = "";
  show(el("div", { class: "message question", dir: "auto" }, question));
  await answer((id) => call("/api/ask", { question, conversation: id }));
});

document.getElementById("new-conversation").addEventListener("click", () => {
  conversationId = keep(newId());
  conversation.replaceChildren();
  document.getElementById("question").focus();
});
