// Live collective-intelligence session: sub-group counts and notes. The page works without it.
import { connect } from "./ws.js";

const root = document.querySelector("[data-session]");
if (root) {
  const seen = new Set(Array.from(root.querySelectorAll(".notes li[id]")).map((li) => li.id));
  connect(root.dataset.wsUrl, {
    onOpen(socket) { socket.send(JSON.stringify({ type: "sync" })); },
    onMessage(message) {
      if (message.type === "counts") {
        for (const [id, count] of Object.entries(message.counts)) {
          const el = root.querySelector(`[data-count-for="${id}"]`);
          if (el && el.textContent !== String(count)) el.textContent = String(count);
        }
      } else if (message.type === "note") {
        const list = root.querySelector(`[data-notes-for="${message.breakout}"]`);
        if (!list || seen.has(`note-${message.id}`)) return;
        seen.add(`note-${message.id}`);
        const template = document.createElement("template");
        template.innerHTML = message.html.trim();
        list.append(template.content);
        list.scrollTop = list.scrollHeight;
      }
    },
  });
}
