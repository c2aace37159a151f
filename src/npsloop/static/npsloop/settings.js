// Live preview: as the settings form changes, post it (unsaved) to the preview URLs and
// show the email and the survey page as they would be.
(function () {
  "use strict";
  var form = document.getElementById("survey-settings");
  if (!form) return;
  var frames = {
    email: document.getElementById("preview-email"),
    page: document.getElementById("preview-page"),
  };
  var timer = null;

  function refresh() {
    Object.keys(frames).forEach(function (kind) {
      var url = form.getAttribute("data-preview-" + kind);
      fetch(url, { method: "POST", body: new FormData(form), credentials: "same-origin" })
        .then(function (reply) { return reply.text(); })
        .then(function (html) { frames[kind].srcdoc = html; })
        .catch(function () { /* the last good preview stays */ });
    });
  }

  form.addEventListener("input", function () {
    clearTimeout(timer);
    timer = setTimeout(refresh, 300);
  });
  document.getElementById("wording_language").addEventListener("change", function (event) {
    // Each language has its own wording fields: reload the page in that language.
    var url = new URL(window.location.href);
    url.searchParams.set("language", event.target.value);
    url.searchParams.delete("saved");
    window.location.href = url.toString();
  });
})();
