// Live tally of a date poll: the server sends the rendered tally after each answer; the page
// works the same without this script (reload to see new answers).
import { connect } from "./ws.js";

const box = document.querySelector("[data-datepoll-live]");
if (box && box.dataset.datepollLive) {
  connect(box.dataset.datepollLive, {
    onMessage(message) {
      if (message.type !== "tally") return;
      const template = document.createElement("template");
      template.innerHTML = message.html; // server-rendered, autoescaped fragment
      const fresh = template.content.firstElementChild;
      const current = box.querySelector("#datepoll-tally");
      if (fresh && current) current.replaceWith(fresh);
    },
  });
}
