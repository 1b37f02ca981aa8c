// "Add slots" without a round trip: clone the last row and bump the formset's counter. Without
// JavaScript the same button re-renders the form with three more rows.
const list = document.querySelector("[data-slot-rows]");
const button = document.querySelector("[data-add-slot]");
const total = document.querySelector("input[name='form-TOTAL_FORMS']");
if (list && button && total) {
  button.addEventListener("click", (event) => {
    event.preventDefault();
    const rows = list.querySelectorAll("li");
    const last = rows[rows.length - 1];
    const index = Number(total.value);
    const clone = last.cloneNode(true);
    for (const el of clone.querySelectorAll("[name],[id],[for],[aria-describedby]")) {
      for (const attr of ["name", "id", "for", "aria-describedby"]) {
        const value = el.getAttribute(attr);
        if (value) el.setAttribute(attr, value.replace(/form-\d+-/g, `form-${index}-`));
      }
      if (el.tagName === "INPUT") el.value = "";
    }
    for (const err of clone.querySelectorAll(".errorlist")) err.remove();
    const legend = clone.querySelector("legend");
    if (legend) legend.textContent = legend.textContent.replace(/\d+/, String(index + 1));
    list.append(clone);
    total.value = String(index + 1);
    const first = clone.querySelector("input");
    if (first) first.focus();
  });
}
