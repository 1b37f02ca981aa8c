// Header badge: how many conversations have unread messages. Shown at load, kept fresh over a
// websocket; after every reconnect the server sends the true count.
import { connect } from "./ws.js";

const link = document.querySelector("[data-message-counter]");
if (link) {
  const badge = link.querySelector("[data-count]");
  const label = link.querySelector("[data-count-label]");
  connect(link.dataset.wsUrl, {
    onOpen: (socket) => socket.send(JSON.stringify({ type: "sync" })),
    onMessage: (data) => {
      if (data.type !== "count") return;
      const count = Number(data.count) || 0;
      badge.textContent = String(count);
      badge.hidden = count === 0;
      label.textContent = count === 0 ? "" : count === 1 ? "1 conversation non lue" : `${count} conversations non lues`;
      link.dataset.count = String(count);
    },
  });
}
