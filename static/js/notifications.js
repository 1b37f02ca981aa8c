// Live unread-notification counter. The page already shows the count at load time; this keeps it
// fresh over a websocket and resynchronises after every reconnect (the server sends the truth).
import { connect } from "./ws.js";

const link = document.querySelector("[data-notification-counter]");
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
      label.textContent = count === 0 ? "" : count === 1 ? "1 non lue" : `${count} non lues`;
      link.dataset.count = String(count);
    },
  });
}
