// Live group page: new topics appear at the top of the list without reload.
import { connect } from "./ws.js";

// The other apps' sections of the group page (agenda, date polls, actions) come after the page
// shows; without JavaScript the placeholder is a link to them.
const panels = document.querySelector("[data-group-panels]");
if (panels && window.htmx) {
  window.htmx.ajax("GET", panels.dataset.groupPanels, { target: panels, swap: "outerHTML" });
}

const list = document.querySelector("[data-topic-list]");
if (list && !new URLSearchParams(window.location.search).has("page")) {
  const status = document.querySelector("[data-live-status]");
  connect(list.dataset.wsUrl, {
    onMessage: (data) => {
      if (data.type !== "topic" || document.getElementById(`topic-${data.topic_id}`)) return;
      const template = document.createElement("template");
      template.innerHTML = data.html.trim();
      const node = template.content.firstElementChild;
      if (!node) return;
      const empty = list.querySelector("[data-empty]");
      if (empty) empty.remove();
      const firstUnpinned = [...list.children].find((li) => !li.classList.contains("is-pinned"));
      list.insertBefore(node, firstUnpinned || null);
      if (status) status.textContent = "Nouveau sujet publié.";
    },
  });
}
