// eiso's own small script. Every page works without it; it only adds:
// - a form marked data-once is sent once (a double click does not send it
//   twice; the request id makes a retry safe anyway);
// - Enter in a select marked data-submit-on-enter submits its form (typing
//   a procedure's code then Enter chooses it, keyboard only);
// - the first error summary (or success panel) gets the focus;
// - a link marked data-print opens the form and its print dialog.
(function () {
  "use strict";
  document.addEventListener("DOMContentLoaded", function () {
    document.querySelectorAll("form[data-once]").forEach(function (form) {
      form.addEventListener("submit", function (event) {
        if (form.dataset.sent) { event.preventDefault(); return; }
        form.dataset.sent = "1";
        form.querySelectorAll("button[type=submit]").forEach(function (b) { b.setAttribute("aria-disabled", "true"); });
      });
    });
    document.querySelectorAll("select[data-submit-on-enter]").forEach(function (select) {
      select.addEventListener("keydown", function (event) {
        if (event.key === "Enter" && select.value) { event.preventDefault(); select.form.submit(); }
      });
    });
    var focus = document.querySelector("[data-focus]");
    if (focus) focus.focus();
    document.querySelectorAll("a[data-print]").forEach(function (link) {
      link.addEventListener("click", function (event) {
        var frame = document.querySelector("iframe.preview");
        if (frame && frame.contentWindow) { event.preventDefault(); frame.contentWindow.print(); }
      });
    });
  });
})();
