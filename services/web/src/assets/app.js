// eiso's own small script. Every page works without it; it only adds:
// - a form marked data-once is sent once (a double click does not send it
//   twice; the request id makes a retry safe anyway);
// - Enter in a select marked data-submit-on-enter submits its form (typing
//   a procedure's code then Enter chooses it, keyboard only);
// - the first error summary (or success panel) gets the focus;
// - a link marked data-print opens the form and its print dialog;
// - in a form marked data-procedure-search, the procedure list follows what
//   is typed in the search box (the search service answers), and Enter there
//   takes the best match;
// - a table form marked data-check-in-place checks its files in place, so
//   they stay chosen for the import that follows.
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
    // A table form's "Kiểm tra" checks in place: the result replaces the
    // page's result area and the chosen files stay chosen, so "Nhập" follows
    // without choosing them again. Without this script (or when the answer
    // is not the page, e.g. a session that ended) the form posts as it is.
    document.querySelectorAll("form[data-check-in-place]").forEach(function (form) {
      form.addEventListener("submit", function (event) {
        var button = event.submitter;
        var area = document.querySelector("[data-check-result]");
        if (form.dataset.plain || !button || button.value !== "kiem_tra" || !area || !window.fetch) return;
        event.preventDefault();
        button.setAttribute("aria-disabled", "true");
        fetch(form.action, { method: "POST", body: new FormData(form, button), credentials: "same-origin" })
          .then(function (response) { return response.text(); })
          .then(function (text) {
            var result = new DOMParser().parseFromString(text, "text/html").querySelector("[data-check-result]");
            if (!result) { form.dataset.plain = "1"; form.requestSubmit(button); return; }
            area.innerHTML = result.innerHTML;
            area.querySelectorAll("[data-rechoose]").forEach(function (e) { e.hidden = true; });
            area.querySelectorAll("[data-kept]").forEach(function (e) { e.hidden = false; });
            var focus = area.querySelector("[data-focus], [role=status]");
            if (focus) { focus.setAttribute("tabindex", "-1"); focus.focus(); }
          })
          .catch(function () {
            area.innerHTML = "";
            var note = document.createElement("p");
            note.className = "error-message"; note.setAttribute("role", "alert");
            note.textContent = "Mất kết nối khi kiểm tra: thử lại.";
            area.appendChild(note);
          })
          .finally(function () { button.removeAttribute("aria-disabled"); });
      });
    });
    // Uploads: files dropped on the zone or chosen are sent at once, with a
    // progress bar; without this script the form posts as it is.
    document.querySelectorAll("form[data-upload]").forEach(function (form) {
      var zone = form.querySelector("[data-dropzone]");
      var input = form.querySelector("input[type=file]");
      var bar = form.querySelector("[data-progress]");
      var status = form.querySelector("[data-upload-status]");
      function send(files) {
        if (!files || !files.length) return;
        var data = new FormData();
        data.append("csrf", form.querySelector("input[name=csrf]").value);
        for (var i = 0; i < files.length; i++) data.append("tep", files[i], files[i].name);
        var xhr = new XMLHttpRequest();
        xhr.open("POST", form.action);
        bar.hidden = false; bar.value = 0;
        form.querySelectorAll("button[type=submit]").forEach(function (b) { b.setAttribute("aria-disabled", "true"); });
        xhr.upload.addEventListener("progress", function (event) {
          if (event.lengthComputable) {
            bar.value = Math.round(event.loaded * 100 / event.total);
            status.textContent = "Đang tải lên: " + bar.value + "%";
          }
        });
        xhr.addEventListener("load", function () {
          if (xhr.status < 400) { window.location.assign(xhr.responseURL || window.location.href); return; }
          var page = new DOMParser().parseFromString(xhr.responseText, "text/html");
          var problem = page.querySelector("#ban-thao .error-summary");
          status.textContent = problem ? problem.textContent.trim() : "Không tải lên được (mã " + xhr.status + ").";
          status.setAttribute("role", "alert");
          bar.hidden = true;
          form.querySelectorAll("button[type=submit]").forEach(function (b) { b.removeAttribute("aria-disabled"); });
        });
        xhr.addEventListener("error", function () {
          status.textContent = "Mất kết nối khi tải lên: thử lại.";
          bar.hidden = true;
          form.querySelectorAll("button[type=submit]").forEach(function (b) { b.removeAttribute("aria-disabled"); });
        });
        xhr.send(data);
      }
      form.addEventListener("submit", function (event) { event.preventDefault(); send(input.files); });
      input.addEventListener("change", function () { send(input.files); });
      ["dragenter", "dragover"].forEach(function (name) {
        zone.addEventListener(name, function (event) { event.preventDefault(); zone.classList.add("dragging"); });
      });
      ["dragleave", "drop"].forEach(function (name) {
        zone.addEventListener(name, function (event) { event.preventDefault(); zone.classList.remove("dragging"); });
      });
      zone.addEventListener("drop", function (event) { send(event.dataTransfer.files); });
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
