// Live conversation: new messages appear without reload, "… est en train d'écrire", sending
// without leaving the page. On every (re)connect the page sends the last message id it saw and
// the server replays what was missed from the database. Without JavaScript the form posts
// normally and the page reloads.
import { connect } from "./ws.js";

const list = document.querySelector("[data-conversation]");
if (list) {
  const viewerId = list.dataset.viewerId;
  const typingEl = document.querySelector("[data-typing]");
  const status = document.querySelector("[data-live-status]");
  const form = document.querySelector("[data-message-form]");
  const errorEl = document.querySelector("[data-form-error]");
  const csrf = document.querySelector("input[name=csrfmiddlewaretoken]");
  let lastId = Number(list.dataset.lastId) || 0;
  let readTimer = null;
  let typingTimer = null;
  const typers = new Map();

  function mark(node) {
    const mine = node.dataset.authorId === viewerId;
    node.classList.toggle("is-mine", mine);
    node.querySelectorAll("[data-others-only]").forEach((el) => { el.hidden = mine; });
  }
  list.querySelectorAll(".msg").forEach(mark);

  function scrollToEnd() {
    const last = list.lastElementChild;
    if (last) last.scrollIntoView({ block: "end" });
  }

  function markRead() {
    // Tell the server what this open page has shown (debounced): the badge and e-mails follow.
    clearTimeout(readTimer);
    readTimer = setTimeout(() => {
      if (document.hidden || !csrf) return;
      const body = new FormData();
      body.append("csrfmiddlewaretoken", csrf.value);
      body.append("last_id", String(lastId));
      fetch(list.dataset.readUrl, { method: "POST", body, headers: { "X-Requested-With": "fetch" }, credentials: "same-origin" }).catch(() => {});
    }, 800);
  }
  document.addEventListener("visibilitychange", () => { if (!document.hidden) markRead(); });

  function insert(messageId, html) {
    const template = document.createElement("template");
    template.innerHTML = html.trim();
    const node = template.content.firstElementChild;
    if (!node) return;
    mark(node);
    const existing = document.getElementById(`message-${messageId}`);
    if (existing) {
      existing.replaceWith(node);
    } else {
      list.appendChild(node);
      if (status && node.dataset.authorId !== viewerId) status.textContent = "Nouveau message reçu.";
      scrollToEnd();
    }
    lastId = Math.max(lastId, Number(messageId) || 0);
    list.dataset.lastId = String(lastId);
    markRead();
  }

  function renderTyping() {
    if (!typingEl) return;
    const names = [...typers.keys()];
    typingEl.textContent = names.length === 0 ? "" : names.length === 1 ? `${names[0]} est en train d'écrire…` : `${names.join(", ")} sont en train d'écrire…`;
  }

  const conn = connect(list.dataset.wsUrl, {
    onOpen: (socket) => socket.send(JSON.stringify({ type: "since", last_id: lastId })),
    onMessage: (data) => {
      if (data.type === "synced") {
        list.dataset.synced = "1";
      } else if (data.type === "message") {
        insert(data.message_id, data.html);
        typers.forEach((timer) => clearTimeout(timer));
        typers.clear();
        renderTyping();
      } else if (data.type === "typing") {
        clearTimeout(typers.get(data.name));
        typers.set(data.name, setTimeout(() => { typers.delete(data.name); renderTyping(); }, 4000));
        renderTyping();
      }
    },
  });

  if (form) {
    const textarea = form.querySelector("textarea");
    textarea.addEventListener("input", () => {
      if (typingTimer) return;
      const socket = conn.socket;
      if (socket && socket.readyState === WebSocket.OPEN) socket.send(JSON.stringify({ type: "typing" }));
      typingTimer = setTimeout(() => { typingTimer = null; }, 2500);
    });
    textarea.addEventListener("keydown", (event) => {
      // Ctrl/Cmd + Entrée envoie, Entrée seule va à la ligne (Markdown)
      if (event.key === "Enter" && (event.ctrlKey || event.metaKey)) { event.preventDefault(); form.requestSubmit(); }
    });
    form.addEventListener("submit", async (event) => {
      event.preventDefault();
      const button = form.querySelector("button[type=submit]");
      button.disabled = true;
      errorEl.hidden = true;
      try {
        const response = await fetch(form.action, { method: "POST", body: new FormData(form), headers: { "X-Requested-With": "fetch" }, credentials: "same-origin" });
        const data = await response.json().catch(() => null);
        if (response.ok && data && data.ok) {
          insert(data.message_id, data.html);
          form.reset();
          textarea.focus();
        } else {
          errorEl.textContent = (data && data.errors && data.errors.join(" ")) || (response.status === 429 ? "Trop de messages envoyés : patientez un peu." : "Le message n'a pas pu être envoyé.");
          errorEl.hidden = false;
        }
      } catch (err) {
        errorEl.textContent = "Connexion perdue : le message n'a pas été envoyé.";
        errorEl.hidden = false;
      } finally {
        button.disabled = false;
      }
    });
  }
  scrollToEnd();
}
