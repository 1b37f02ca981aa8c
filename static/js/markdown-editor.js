// Markdown editing for member text: every <textarea data-markdown> gets a small toolbar (bold,
// italic, link, list, quote) and a "Aperçu" toggle showing the text as the server will render and
// sanitise it. The buttons come from the hidden #markdown-toolbar in the page (translated there);
// without JavaScript the textarea stays a plain, working field.
const template = document.getElementById("markdown-toolbar");

const wrap = (area, before, after = before, placeholder = "") => {
  const { selectionStart: start, selectionEnd: end, value } = area;
  const selected = value.slice(start, end) || placeholder;
  area.setRangeText(before + selected + after, start, end, "end");
  area.setSelectionRange(start + before.length, start + before.length + selected.length);
  area.focus();
  area.dispatchEvent(new Event("input", { bubbles: true }));
};

const prefixLines = (area, prefix) => {
  const { selectionStart: start, selectionEnd: end, value } = area;
  const lineStart = value.lastIndexOf("\n", start - 1) + 1;
  const block = value.slice(lineStart, end) || "";
  const prefixed = block.split("\n").map((line) => prefix + line).join("\n");
  area.setRangeText(prefixed, lineStart, end, "end");
  area.focus();
  area.dispatchEvent(new Event("input", { bubbles: true }));
};

const ACTIONS = {
  bold: (area) => wrap(area, "**", "**", template.dataset.sample),
  italic: (area) => wrap(area, "_", "_", template.dataset.sample),
  link: (area) => wrap(area, "[", "](https://)", template.dataset.sample),
  list: (area) => prefixLines(area, "- "),
  quote: (area) => prefixLines(area, "> "),
};

const csrfToken = (area) => area.form?.querySelector("input[name=csrfmiddlewaretoken]")?.value || "";

const enhance = (area) => {
  if (area.dataset.markdownReady) return;
  area.dataset.markdownReady = "1";
  const bar = template.firstElementChild.cloneNode(true);
  const preview = document.createElement("div");
  preview.className = "markdown-preview prose";
  preview.hidden = true;
  preview.setAttribute("aria-live", "polite");
  preview.tabIndex = -1;
  area.before(bar);
  area.after(preview);
  const toggle = bar.querySelector("[data-md-preview]");
  bar.addEventListener("click", async (event) => {
    const button = event.target.closest("button");
    if (!button) return;
    event.preventDefault();
    if (button.dataset.mdAction) {
      if (!preview.hidden) toggle.click();
      ACTIONS[button.dataset.mdAction](area);
      return;
    }
    const showing = toggle.getAttribute("aria-pressed") === "true";
    if (showing) {
      toggle.setAttribute("aria-pressed", "false");
      preview.hidden = true;
      area.hidden = false;
      area.focus();
      return;
    }
    const body = new FormData();
    body.append("text", area.value);
    preview.textContent = template.dataset.loading;
    area.hidden = true;
    preview.hidden = false;
    toggle.setAttribute("aria-pressed", "true");
    try {
      const response = await fetch(template.dataset.previewUrl, {
        method: "POST",
        body,
        headers: { "X-CSRFToken": csrfToken(area) },
        credentials: "same-origin",
      });
      if (!response.ok) throw new Error(String(response.status));
      const html = await response.text(); // rendered and sanitised by the server (nh3)
      preview.innerHTML = html.trim() ? html : `<p class="muted">${template.dataset.empty}</p>`;
    } catch {
      preview.textContent = template.dataset.failed;
    }
    preview.focus();
  });
};

if (template) {
  document.querySelectorAll("textarea[data-markdown]").forEach(enhance);
  // textareas that htmx swaps in later (reply forms, edits)
  document.body.addEventListener("htmx:afterSettle", () => document.querySelectorAll("textarea[data-markdown]").forEach(enhance));
}
