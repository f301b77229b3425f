// Small behaviours of our own; pages work without them.
(function () {
  "use strict";
  document.addEventListener("click", function (event) {
    var button = event.target.closest("[data-tree]");
    if (!button) return;
    var open = button.getAttribute("data-tree") === "open";
    document.querySelectorAll(".tree details").forEach(function (el) { el.open = open; });
  });
  // A ticked box in a table header ticks every box of its column.
  document.addEventListener("change", function (event) {
    var box = event.target;
    if (!box.matches("thead input[type=checkbox]")) return;
    var table = box.closest("table");
    table.querySelectorAll("tbody input[type=checkbox]").forEach(function (el) { el.checked = box.checked; });
  });
  // A "tick all" box (data-ticks="<name>") ticks every box of that name in its form.
  document.addEventListener("change", function (event) {
    var box = event.target;
    if (!box.matches("[data-ticks]")) return;
    box.form.querySelectorAll("input[name='" + box.getAttribute("data-ticks") + "']").forEach(function (el) {
      el.checked = box.checked;
    });
  });
  // A drop-down marked data-autosubmit sends its form when changed (no inline handlers: our CSP forbids them).
  document.addEventListener("change", function (event) {
    if (event.target.matches("select[data-autosubmit]")) event.target.form.submit();
  });
  document.documentElement.classList.add("js");
  // Send the CSRF token with htmx requests that change data.
  document.addEventListener("htmx:configRequest", function (event) {
    var input = document.querySelector("input[name=csrfmiddlewaretoken]");
    if (input) event.detail.headers["X-CSRFToken"] = input.value;
  });
})();
