// Live topic page: new, edited and deleted posts and poll results appear without reload; "… est en train d'écrire".
// On every (re)connect the page sends the last post id it saw and the server replays what was
// missed from the database, so nothing is lost when a web process or Redis restarts.
import { connect } from "./ws.js";

const container = document.querySelector("[data-topic]");
if (container) {
  const viewerId = container.dataset.viewerId;
  const live = container.dataset.live === "1";
  const typingEl = document.querySelector("[data-typing]");
  const status = document.querySelector("[data-live-status]");
  const csrf = document.querySelector("input[name=csrfmiddlewaretoken]");
  let lastId = Number(container.dataset.lastId) || 0;
  // Server time of the page (then of each sync): posts edited or deleted after it are replayed.
  let changedSince = Number(container.dataset.renderedAt) || 0;
  let typingTimer = null;
  const typers = new Map();

  function prepare(node) {
    node.querySelectorAll("[data-csrf]").forEach((input) => { if (csrf) input.value = csrf.value; });
    node.querySelectorAll("[data-own-only]").forEach((el) => { el.hidden = node.dataset.authorId !== viewerId; });
  }

  function fragment(html) {
    const template = document.createElement("template");
    template.innerHTML = html.trim();
    return template.content.firstElementChild;
  }

  function apply(data) {
    const node = fragment(data.html);
    if (!node) return;
    prepare(node);
    const existing = document.getElementById(`post-${data.post_id}`);
    if (existing) {
      existing.replaceWith(node);
    } else if (data.action === "new" && live) {
      container.appendChild(node);
      if (status) status.textContent = "Nouveau message publié.";
    }
    lastId = Math.max(lastId, Number(data.post_id) || 0);
    container.dataset.lastId = String(lastId);
  }

  function renderTyping() {
    if (!typingEl) return;
    const names = [...typers.keys()];
    typingEl.textContent = names.length === 0 ? "" : names.length === 1 ? `${names[0]} est en train d'écrire…` : `${names.join(", ")} sont en train d'écrire…`;
  }

  const conn = connect(container.dataset.wsUrl, {
    onOpen: (socket) => socket.send(JSON.stringify({ type: "since", last_id: lastId, changed_since: changedSince })),
    onMessage: (data) => {
      if (data.type === "synced") {
        container.dataset.synced = "1"; // caught up: from now on, live events arrive as they happen
        changedSince = Number(data.at) || changedSince;
      } else if (data.type === "post") {
        apply(data);
        typers.forEach((timer) => clearTimeout(timer));
        typers.clear();
        renderTyping();
      } else if (data.type === "poll") {
        const results = document.querySelector("[data-poll-results]");
        if (results) results.innerHTML = data.html;
        if (data.closed) document.querySelectorAll("[data-poll-form]").forEach((form) => form.remove());
      } else if (data.type === "typing") {
        clearTimeout(typers.get(data.name));
        typers.set(data.name, setTimeout(() => { typers.delete(data.name); renderTyping(); }, 4000));
        renderTyping();
      }
    },
  });

  const form = document.querySelector("[data-reply-form]");
  const textarea = form && form.querySelector("textarea");
  if (textarea) {
    textarea.addEventListener("input", () => {
      if (typingTimer) return;
      const socket = conn.socket;
      if (socket && socket.readyState === WebSocket.OPEN) socket.send(JSON.stringify({ type: "typing" }));
      typingTimer = setTimeout(() => { typingTimer = null; }, 2500);
    });
  }
}
