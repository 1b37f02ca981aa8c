// Header navigation, enhanced: on narrow screens the main navigation folds behind a menu button
// (without JavaScript it simply wraps, every link visible); the account menu (<details>) closes on
// Escape and on a click elsewhere.
const header = document.querySelector(".site-header");
const toggle = header && header.querySelector(".menu-toggle");
const nav = header && header.querySelector("#site-nav");
if (toggle && nav) {
  header.classList.add("has-menu");
  toggle.hidden = false;
  toggle.addEventListener("click", () => {
    const open = toggle.getAttribute("aria-expanded") !== "true";
    toggle.setAttribute("aria-expanded", String(open));
    header.classList.toggle("menu-open", open);
    if (open) nav.querySelector("a")?.focus();
  });
}
const account = document.querySelector(".account-menu");
if (account) {
  document.addEventListener("click", (event) => {
    if (account.open && !account.contains(event.target)) account.open = false;
  });
  document.addEventListener("keydown", (event) => {
    if (event.key !== "Escape") return;
    if (account.open) { account.open = false; account.querySelector("summary").focus(); }
    if (toggle && toggle.getAttribute("aria-expanded") === "true") { toggle.click(); toggle.focus(); }
  });
}
// Panels folded on phones (e.g. the agenda filters) start open on wide screens.
if (window.matchMedia("(min-width: 60rem)").matches) {
  for (const panel of document.querySelectorAll("details[data-open-wide]")) panel.open = true;
}
// A table or chart wider than the screen scrolls sideways in its frame (.table-wrap,
// .chart-figure): while it does, the frame is a focusable region so the keyboard can scroll it,
// named by data-frame-label, else by its table's caption or its chart's title. The one place for
// this rule; without JavaScript, current browsers let the keyboard into a scrolling frame themselves.
const frameScrollers = () => {
  for (const frame of document.querySelectorAll(".table-wrap:not([data-framed]), .chart-figure:not([data-framed])")) {
    if (frame.scrollWidth <= frame.clientWidth) continue;
    frame.dataset.framed = "";
    frame.tabIndex = 0;
    frame.setAttribute("role", "region");
    const name = frame.dataset.frameLabel || frame.querySelector("caption, svg > title")?.textContent.trim();
    if (name) frame.setAttribute("aria-label", name);
  }
};
frameScrollers();
window.addEventListener("resize", frameScrollers);
document.addEventListener("htmx:afterSettle", frameScrollers);
// A page that opens on a form's errors (includes/form_errors.html) takes the keyboard and the screen
// reader to their summary, whose links lead to each field to fix.
document.querySelector("[data-error-summary]")?.focus();
