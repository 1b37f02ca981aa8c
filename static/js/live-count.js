// A header counter (unread notifications, unread conversations): the page shows the count at
// load; this keeps it fresh over a websocket and resynchronises after every reconnect (the
// server sends the true count). `labels(count)` says the count in words for screen readers.
import { connect } from "./ws.js";

export function liveCount(selector, labels) {
  const link = document.querySelector(selector);
  if (!link) return;
  const badge = link.querySelector("[data-count]");
  const label = link.querySelector("[data-count-label]");
  connect(link.dataset.wsUrl, {
    onOpen: (socket) => socket.send(JSON.stringify({ type: "sync" })),
    onMessage: (data) => {
      if (data.type !== "count") return;
      const count = Number(data.count) || 0;
      badge.textContent = String(count);
      badge.hidden = count === 0;
      label.textContent = count === 0 ? "" : labels(count);
      link.dataset.count = String(count);
    },
  });
}
