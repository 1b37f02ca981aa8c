// Live activity stream: new items appear at the top of a stream that asked for it
// (data-stream-live, first page only). The socket only says "item N is new and you may see it";
// the card comes from the permission-checked stream view, which answers 204 when the item is not
// part of this stream (another group, another filter). Without JavaScript the page still works.
import { connect } from "./ws.js";

const streams = document.querySelectorAll("[data-stream-live]");
if (streams.length) {
  const seen = new Set([...document.querySelectorAll("[data-activity]")].map((el) => el.dataset.activity));
  connect(streams[0].dataset.wsUrl, {
    onMessage: async (data) => {
      if (data.type !== "item" || seen.has(String(data.id))) return;
      seen.add(String(data.id));
      for (const list of streams) {
        const response = await fetch(list.dataset.streamLive + encodeURIComponent(data.id), {
          headers: { "HX-Request": "true" },
          credentials: "same-origin",
        });
        if (response.status !== 200) continue;
        const item = document.createElement("li");
        item.innerHTML = await response.text();
        item.firstElementChild?.classList.add("is-new");
        list.prepend(item);
        if (window.htmx) window.htmx.process(item);
        const status = list.parentElement.querySelector("[data-stream-status]");
        if (status) status.textContent = list.dataset.newLabel || "";
      }
    },
  });
}
