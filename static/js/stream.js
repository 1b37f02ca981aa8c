// Live activity stream: new items appear at the top of a stream that asked for it
// (data-stream-live, first page only). The socket only says "item N is new and you may see it";
// the card comes from the permission-checked stream view, which answers 204 when the item is not
// part of this stream (another group, another filter). After a reconnect the first page is
// fetched again and what was missed is added, so nothing is lost while a server restarts.
// Without JavaScript the page still works.
import { connect } from "./ws.js";

const streams = document.querySelectorAll("[data-stream-live]");
if (streams.length) {
  const seen = new Set([...document.querySelectorAll("[data-activity]")].map((el) => el.dataset.activity));

  function insert(list, card) {
    const item = document.createElement("li");
    item.append(card);
    card.classList.add("is-new");
    list.prepend(item);
    if (window.htmx) window.htmx.process(item);
    const status = list.parentElement.querySelector("[data-stream-status]");
    if (status) status.textContent = list.dataset.newLabel || "";
  }

  async function fetchHtml(url) {
    const response = await fetch(url, { headers: { "HX-Request": "true" }, credentials: "same-origin" });
    if (response.status !== 200) return null;
    const template = document.createElement("template");
    template.innerHTML = await response.text();
    return template.content;
  }

  async function onItem(id) {
    if (seen.has(String(id))) return;
    seen.add(String(id));
    for (const list of streams) {
      const content = await fetchHtml(list.dataset.streamLive + encodeURIComponent(id));
      const card = content && content.querySelector("[data-activity]");
      if (card) insert(list, card);
    }
  }

  async function resync() {
    for (const list of streams) {
      const content = await fetchHtml(list.dataset.streamLive.replace(/&element=$/, ""));
      if (!content) continue;
      const missed = [...content.querySelectorAll("[data-activity]")].filter((card) => !seen.has(card.dataset.activity));
      for (const card of missed.reverse()) {
        seen.add(card.dataset.activity);
        insert(list, card);
      }
    }
  }

  let opened = false;
  connect(streams[0].dataset.wsUrl, {
    onOpen: () => {
      if (opened) resync();
      opened = true;
    },
    onMessage: (data) => {
      if (data.type === "item") onItem(data.id);
    },
  });
}
