// cipsurvey serve: the only script of the page, and nothing depends on it: forms, filters
// and downloads are plain HTML. It lets files be dropped anywhere on a drop zone (not only
// on its file button), and follows a run's progress.
(function () {
  "use strict";
  Array.prototype.forEach.call(document.querySelectorAll("label.drop"), function (zone) {
    var input = zone.querySelector("input[type=file]");
    zone.addEventListener("dragover", function (e) {
      e.preventDefault();
      zone.classList.add("over");
    });
    zone.addEventListener("dragleave", function () { zone.classList.remove("over"); });
    zone.addEventListener("drop", function (e) {
      e.preventDefault();
      zone.classList.remove("over");
      if (e.dataTransfer && e.dataTransfer.files.length) { input.files = e.dataTransfer.files; }
    });
  });

  var box = document.getElementById("progress");
  if (!box) { return; }
  var bar = document.getElementById("bar");
  var status = document.getElementById("status");
  var url = box.getAttribute("data-status");
  function poll() {
    fetch(url, { credentials: "same-origin", cache: "no-store" })
      .then(function (r) { return r.json(); })
      .then(function (s) {
        if (s.total) { bar.max = s.total; bar.value = s.done; }
        if (status.textContent !== s.text) { status.textContent = s.text; }
        if (s.state === "running") { window.setTimeout(poll, 300); }
        else { window.location.reload(); }
      })
      .catch(function () { window.setTimeout(poll, 1000); });
  }
  window.setTimeout(poll, 200);
})();
