"use strict";
// The dashboard's tickets: reads /api/admin/tickets, acts through /api/admin/tickets/N/ACTION,
// and fills the page with textContent only.

const $ = (id) => document.getElementById(id);
let current = null;

function cell(tag, text) {
  const node = document.createElement(tag);
  node.textContent = text === null || text === undefined ? "–" : String(text);
  return node;
}

function duration(seconds) {
  if (seconds === null || seconds === undefined) return "–";
  const minutes = Math.round(seconds / 60);
  if (minutes < 60) return `${minutes} min`;
  if (minutes < 48 * 60) return `${Math.round(minutes / 60)} h`;
  return `${Math.round(minutes / 1440)} d`;
}

function query() {
  const params = new URLSearchParams();
  params.set("status", $("status-filter").value);
  if ($("topic-filter").value.trim()) params.set("topic", $("topic-filter").value.trim());
  if ($("age-filter").value.trim()) params.set("older_than", $("age-filter").value.trim());
  return params.toString();
}

async function load() {
  const response = await fetch(`/api/admin/tickets?${query()}`);
  if (response.status === 401) { window.location.reload(); return; }
  const data = await response.json();
  $("status").textContent = response.ok ? "" : data.error;
  if (!response.ok) return;
  const figures = data.figures;
  $("open").textContent = String(figures.counts.open + figures.counts.assigned);
  $("urgent").textContent = String(figures.urgent_open);
  $("first-response").textContent = duration(figures.median_first_response_seconds);
  $("to-answer").textContent = duration(figures.median_answer_seconds);
  const table = $("tickets");
  table.replaceChildren();
  const head = document.createElement("tr");
  ["#", "Status", "Age", "Topic", "From", "Question", "Assignee", "First response", "Answered in", "Card in"]
    .forEach((name) => head.append(cell("th", name)));
  table.append(head);
  for (const t of data.tickets) {
    const row = document.createElement("tr");
    row.className = t.urgent ? "ticket urgent" : "ticket";
    row.dataset.number = String(t.number);
    const number = cell("td", `${t.urgent ? "⚠ " : ""}${t.number}`);
    const question = cell("td", t.question);
    question.setAttribute("dir", "auto");
    row.append(number, cell("td", t.status), cell("td", duration(t.age_seconds)), cell("td", t.topic),
      cell("td", t.name), question, cell("td", t.assignee),
      cell("td", duration(t.first_response_seconds)), cell("td", duration(t.answer_seconds)),
      cell("td", t.delivered_to.length ? t.delivered_to.join(", ") : null));
    row.addEventListener("click", () => show(t.number));
    table.append(row);
  }
}

function field(list, name, value) {
  const text = cell("dd", value);
  text.setAttribute("dir", "auto");
  list.append(cell("dt", name), text);
}

async function show(number) {
  const response = await fetch(`/api/admin/tickets/${number}`);
  const ticket = await response.json();
  if (!response.ok) { $("status").textContent = ticket.error; return; }
  current = ticket;
  $("detail").hidden = false;
  $("detail-title").textContent = `Ticket #${ticket.number} · ${ticket.status}${ticket.urgent ? " · urgent" : ""}`;
  const fields = $("detail-fields");
  fields.replaceChildren();
  field(fields, "From", ticket.name);
  field(fields, "Question", ticket.question);
  if (ticket.note) field(fields, "Note", ticket.note);
  field(fields, "Topic", ticket.topic);
  if (ticket.answer) field(fields, "Answer", ticket.answer);
  const history = $("detail-history");
  history.replaceChildren();
  for (const event of ticket.history) {
    history.append(cell("li", `${event.at.slice(0, 16).replace("T", " ")} ${event.action} by ${event.by}`));
  }
  $("answer-lang").value = ticket.answer_lang || ticket.lang;
  $("learn-status").textContent = "";
  $("learn-topic").value = ticket.topic || "";
}

async function act(action, extra) {
  if (!current) return;
  const by = $("by").value.trim();
  if (!by) { $("status").textContent = "Say who you are first."; $("by").focus(); return; }
  localStorage.setItem("advisor-owner", by);
  const response = await fetch(`/api/admin/tickets/${current.number}/${action}`, {
    method: "POST",
    headers: { "Content-Type": "application/json" },
    body: JSON.stringify({ by, ...extra }),
  });
  const data = await response.json();
  $("status").textContent = response.ok ? "" : data.error;
  await show(current.number);
  await load();
}

$("by").value = localStorage.getItem("advisor-owner") || "";
$("assign").addEventListener("click", () => act("assign", {}));
$("close").addEventListener("click", () => act("close", {}));
$("reopen").addEventListener("click", () => act("reopen", {}));
$("answer-form").addEventListener("submit", (event) => {
  event.preventDefault();
  act("answer", { text: $("answer-text").value, lang: $("answer-lang").value });
});
async function teach(body) {
  if (!current) return;
  const by = $("by").value.trim();
  if (!by) { $("learn-status").textContent = "Say who you are first."; $("by").focus(); return; }
  const response = await fetch("/api/admin/learned", {
    method: "POST",
    headers: { "Content-Type": "application/json" },
    body: JSON.stringify({ ticket: current.number, by, lang: "en", ...body }),
  });
  const data = await response.json();
  if (!response.ok) { $("learn-status").textContent = data.error; return; }
  const what = data.learned.kind === "entry" ? `Published as ${data.learned.topic}` : `Added to ${data.learned.topic}`;
  $("learn-status").textContent = data.changed ? `${what}.` : `${what} already.`;
  await loadLearned();
}

function learnedText(item) {
  if (item.kind === "example") return item.text;
  const asked = [...(item.variants.en || []), ...(item.variants.he || [])];
  return asked[0] || "";
}

async function loadLearned() {
  const response = await fetch("/api/admin/learned");
  if (!response.ok) return;
  const items = (await response.json()).learned.sort((a, b) => b.id - a.id);
  const table = $("learned");
  table.replaceChildren();
  const head = document.createElement("tr");
  for (const name of ["#", "Kind", "Topic", "Question", "By", "When", ""]) head.append(cell("th", name));
  table.append(head);
  for (const item of items) {
    const row = document.createElement("tr");
    row.className = "learned-item";
    row.dataset.id = String(item.id);
    const question = cell("td", learnedText(item));
    question.dir = "auto";
    row.append(cell("td", item.id), cell("td", item.kind), cell("td", item.topic), question,
      cell("td", item.by), cell("td", item.at.slice(0, 16).replace("T", " ")));
    const action = document.createElement("td");
    if (item.withdrawn) {
      action.textContent = `withdrawn by ${item.withdrawn.by}`;
    } else {
      const button = document.createElement("button");
      button.type = "button";
      button.className = "withdraw";
      button.textContent = "Withdraw";
      button.setAttribute("aria-label", `Withdraw ${item.kind} ${item.id} of ${item.topic}`);
      button.addEventListener("click", () => withdraw(item));
      action.append(button);
    }
    row.append(action);
    table.append(row);
  }
}

async function withdraw(item) {
  const by = $("by").value.trim();
  if (!by) { $("learned-status").textContent = "Say who you are first."; $("by").focus(); return; }
  const params = new URLSearchParams({ by, lang: "en" });
  const response = await fetch(`/api/admin/learned/${item.id}?${params}`, { method: "DELETE" });
  const data = await response.json();
  $("learned-status").textContent = response.ok ? `Withdrawn: ${item.kind} ${item.id} of ${item.topic}.` : data.error;
  await loadLearned();
}

$("learn-example").addEventListener("click", () => teach({ example_of: $("learn-topic").value.trim() }));
$("learn-publish").addEventListener("click", () => {
  const variants = { en: [], he: [] };
  for (const line of $("learn-variants").value.split("\n").map((l) => l.trim()).filter(Boolean)) {
    variants[/[\u0590-\u05FF]/.test(line) ? "he" : "en"].push(line);
  }
  teach({ publish: { variants, verdict: $("learn-verdict").value } });
});
$("filter").addEventListener("submit", (event) => { event.preventDefault(); load(); });
load();
loadLearned();
