"use strict";
// The policy owner's dashboard: reads /api/admin/report (the same data as `advisor report`)
// and fills the page with textContent only.

const $ = (id) => document.getElementById(id);

function cell(tag, text) {
  const node = document.createElement(tag);
  node.textContent = text === null || text === undefined ? "–" : String(text);
  return node;
}

function table(id, header, rows) {
  const node = $(id);
  node.replaceChildren();
  const head = document.createElement("tr");
  header.forEach((name) => head.append(cell("th", name)));
  node.append(head);
  for (const row of rows) {
    const line = document.createElement("tr");
    row.forEach((value) => line.append(cell("td", value)));
    node.append(line);
  }
}

const percent = (value) => (value === null || value === undefined ? "n/a" : `${Math.round(value * 100)}%`);

function period() {
  return `since=${encodeURIComponent($("since").value)}&until=${encodeURIComponent($("until").value)}`;
}

async function load() {
  const response = await fetch(`/api/admin/report?${period()}`);
  if (response.status === 401) { window.location.reload(); return; }
  const report = await response.json();
  $("status").textContent = response.ok ? "" : report.error;
  if (!response.ok) return;
  $("total").textContent = String(report.questions);
  table("outcomes", ["Outcome", "Count", "Share"],
    Object.entries(report.outcomes).map(([name, value]) => [name, value.count, percent(value.share)]));
  table("channels", ["Channel", "Questions"], Object.entries(report.per_channel));
  table("topics", ["Topic", "Questions", "Rated", "Helpful rate"],
    report.topics.map((t) => [t.topic, t.questions, t.rated, percent(t.helpful_rate)]));
  const unanswered = $("unanswered");
  unanswered.replaceChildren();
  for (const group of report.unanswered) {
    const item = document.createElement("details");
    const summary = cell("summary", `${group.count} × [${group.lang}] ${group.examples[0]} (nearest: ${group.nearest_topic || "none"})`);
    summary.setAttribute("dir", "auto");
    const snippet = cell("pre", group.snippet);
    snippet.setAttribute("dir", "ltr");
    item.append(summary, snippet);
    unanswered.append(item);
  }
  table("checklists", ["Checklist", "Finished", "Complete"], report.checklists.map((c) => [c.checklist, c.finished, c.complete]));
  table("missed", ["Checklist", "Item", "Left unticked"], report.missed_items.map((m) => [m.checklist, m.item, m.count]));
  $("chart").src = `/api/admin/chart.svg?${period()}`;
  $("csv").href = `/api/admin/report.csv?${period()}`;
}

const today = new Date();
const weekAgo = new Date(today.getTime() - 6 * 86400000);
$("until").value = today.toISOString().slice(0, 10);
$("since").value = weekAgo.toISOString().slice(0, 10);
$("period").addEventListener("submit", (event) => { event.preventDefault(); load(); });
load();
