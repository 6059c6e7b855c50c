"use strict";
// "Ask the policy owner" under a declined answer: shows what the owner will see
// (/api/tickets/preview), then sends it (/api/tickets) with one key per confirmation.
// Uses el(), button(), call() and failure() from app.js; text goes in as text nodes only.

function askOwner(article) {
  const question = article.dataset.question || "";
  const id = article.dataset.id || null;
  const lang = article.getAttribute("lang") || "en";
  const key = Array.from(crypto.getRandomValues(new Uint8Array(16)), (b) => b.toString(16).padStart(2, "0")).join("");
  const panel = el("form", { class: "ask-owner", dir: lang === "he" ? "rtl" : "ltr" });
  const name = el("input", { name: "name", dir: "auto", maxlength: "200" });
  const note = el("input", { name: "note", dir: "auto", maxlength: "1000" });
  const preview = el("div", { class: "preview" });
  const body = () => ({ question, note: note.value.trim() || null, name: name.value.trim() || null, lang, key, question_id: id });
  async function refresh() {
    try {
      const view = await call("/api/tickets/preview", body());
      preview.replaceChildren(
        el("p", { class: "heading" }, view.heading),
        el("p", { class: "from" }, `${view.labels.from_label}: ${view.name || "–"}`),
        el("p", { class: "question", dir: "auto" }, `${view.labels.question_label}: ${view.question}`),
        view.note ? el("p", { class: "note", dir: "auto" }, `${view.labels.note_label}: ${view.note}`) : "");
      send.textContent = view.labels.send;
      nameLabel.textContent = `${view.labels.from_label} `;
      noteLabel.textContent = `${view.labels.note_label} `;
    } catch (error) { failure(error); }
  }
  const send = el("button", { type: "submit", class: "send" }, "Send");
  const nameLabel = el("span", {}, "Name ");
  const noteLabel = el("span", {}, "Note ");
  name.addEventListener("change", refresh);
  note.addEventListener("change", refresh);
  panel.append(preview, el("label", {}, nameLabel, name), el("label", {}, noteLabel, note), send);
  panel.addEventListener("submit", async (event) => {
    event.preventDefault();
    await refresh();
    try {
      const sent = await call("/api/tickets", body());
      panel.replaceChildren(el("p", { class: "thanks" }, sent.message));
    } catch (error) { failure(error); }
  });
  article.append(panel);
  refresh();
}

new MutationObserver((changes) => {
  for (const change of changes) {
    for (const node of change.addedNodes) {
      if (node.dataset && node.dataset.outcome === "declined" && node.dataset.question) {
        node.append(el("div", { class: "actions" }, button(node.dataset.label || "Ask the policy owner", () => askOwner(node), "ask-owner")));
      }
    }
  }
}).observe(document.getElementById("conversation"), { childList: true });
