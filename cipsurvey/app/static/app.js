// cipsurvey serve: the only script of the page. It follows a run's progress; everything
// else works without it (forms, filters and downloads are plain HTML).
(function () {
  "use strict";
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
