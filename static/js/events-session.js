// Live collective-intelligence session: sub-group counts, notes and the organiser's countdown.
// The page works without it (counts and notes on reload, the countdown's end time in text).
import { connect } from "./ws.js";

const root = document.querySelector("[data-session]");

function countdown(panel) {
  const clock = panel.querySelector("[data-timer-clock]");
  const label = panel.querySelector("[data-timer-label]");
  const alert = panel.querySelector("[data-timer-alert]");
  const caption = panel.querySelector("[data-timer-caption]");
  let ticking = null;
  let endsAt = panel.dataset.endsAt ? new Date(panel.dataset.endsAt) : null;

  function render() {
    if (!endsAt) {
      clock.textContent = "Pas de minuteur en cours";
      panel.classList.remove("running", "done");
      return;
    }
    const left = Math.max(0, Math.round((endsAt - Date.now()) / 1000));
    const minutes = Math.floor(left / 60);
    const seconds = String(left % 60).padStart(2, "0");
    clock.textContent = `${minutes}:${seconds}`;
    clock.setAttribute("aria-label", `Temps restant : ${minutes} min ${seconds} s`);
    panel.classList.toggle("running", left > 0);
    if (left === 0 && !panel.classList.contains("done")) {
      panel.classList.add("done");
      alert.textContent = "Temps écoulé";
      clearInterval(ticking);
      ticking = null;
    }
  }

  function set(timer) {
    endsAt = timer ? new Date(timer.ends_at) : null;
    const end = endsAt ? endsAt.toLocaleTimeString("fr-FR", { hour: "2-digit", minute: "2-digit", timeZone: "Europe/Paris" }) : "";
    caption.textContent = endsAt ? `restantes · fin à ${end}` : "";
    label.textContent = timer && timer.label ? `· ${timer.label}` : "";
    panel.classList.remove("done");
    alert.textContent = timer ? "Minuteur lancé" : "";
    clearInterval(ticking);
    ticking = endsAt ? setInterval(render, 1000) : null;
    render();
  }

  if (endsAt) set({ ends_at: panel.dataset.endsAt, label: label.textContent.replace(/^· /, "") });
  alert.textContent = "";
  return set;
}

if (root) {
  const seen = new Set(Array.from(root.querySelectorAll(".notes li[id]")).map((li) => li.id));
  const timerPanel = root.querySelector("[data-timer]");
  const setTimer = timerPanel ? countdown(timerPanel) : () => {};
  connect(root.dataset.wsUrl, {
    onOpen(socket) { socket.send(JSON.stringify({ type: "sync" })); },
    onMessage(message) {
      if (message.type === "counts") {
        for (const [id, count] of Object.entries(message.counts)) {
          const el = root.querySelector(`[data-count-for="${id}"]`);
          if (el && el.textContent !== String(count)) el.textContent = String(count);
        }
      } else if (message.type === "timer") {
        const current = timerPanel && timerPanel.dataset.endsAt;
        const next = message.timer ? message.timer.ends_at : undefined;
        if (timerPanel && current !== next) {
          if (next) timerPanel.dataset.endsAt = next; else delete timerPanel.dataset.endsAt;
          setTimer(message.timer);
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
