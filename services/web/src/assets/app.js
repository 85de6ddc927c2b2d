// eiso's own small script. Every page works without it; it only adds:
// - a form marked data-once is sent once (a double click does not send it
//   twice; the request id makes a retry safe anyway);
// - Enter in a select marked data-submit-on-enter submits its form (typing
//   a procedure's code then Enter chooses it, keyboard only);
// - the first error summary (or success panel) gets the focus;
// - a link marked data-print opens the form and its print dialog;
// - in a form marked data-procedure-search, the procedure list follows what
//   is typed in the search box (the search service answers), and Enter there
//   takes the best match.
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
    document.querySelectorAll("form[data-procedure-search]").forEach(function (form) {
      var box = form.querySelector("input[name=tim]");
      var select = form.querySelector("select[name=thu_tuc]");
      var status = form.querySelector("[aria-live]");
      if (!box || !select) return;
      var all = select.innerHTML, timer = null, asked = 0;
      function refresh() {
        var words = box.value.trim(), ticket = ++asked;
        if (!words) { select.innerHTML = all; if (status) status.textContent = ""; return Promise.resolve(false); }
        return fetch("/ho-so/tiep-nhan/thu-tuc?tim=" + encodeURIComponent(words), { credentials: "same-origin" })
          .then(function (r) { return r.ok ? r.text() : Promise.reject(r.status); })
          .then(function (html) {
            if (ticket !== asked) return false;
            select.innerHTML = html;
            var found = select.value ? select.options.length : 0;
            if (status) status.textContent = found ? found + " thủ tục khớp; Enter để chọn thủ tục đầu, mũi tên xuống để chọn thủ tục khác." : "Không tìm thấy thủ tục nào.";
            return true;
          })
          .catch(function () { return false; });
      }
      box.addEventListener("input", function () { clearTimeout(timer); timer = setTimeout(refresh, 200); });
      box.addEventListener("keydown", function (event) {
        if (event.key === "ArrowDown") { event.preventDefault(); select.focus(); }
        if (event.key === "Enter" && box.value.trim()) {
          event.preventDefault();
          clearTimeout(timer);
          // The best match for the words as typed now, once the list has them.
          refresh().then(function (current) { if (current && select.value) form.submit(); });
        }
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
