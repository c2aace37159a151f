// The follow-up page: records the score chosen in the email once a person is looking at
// the page, and again whenever they pick another one. Link scanners that run scripts are
// usually automated (navigator.webdriver) or open every score at once; the server answers
// those with 409 and the page asks for one click instead.
(function () {
  "use strict";
  var form = document.getElementById("followup");
  if (!form) return;
  var recordUrl = form.getAttribute("data-record-url");
  var statusLine = document.getElementById("status");
  var confirmBox = document.getElementById("confirm");
  var question = document.getElementById("followup-question");
  var csrf = form.querySelector("input[name=csrfmiddlewaretoken]");

  function chosen() {
    var input = form.querySelector("input[name=score]:checked");
    return input ? input.value : null;
  }

  function category(score) {
    var n = Number(score);
    return n >= 9 ? "promoter" : n >= 7 ? "passive" : "detractor";
  }

  function showQuestion(score) {
    if (question && score !== null) {
      question.textContent = question.getAttribute("data-" + category(score));
    }
  }

  function record(score, confirmed) {
    if (!recordUrl || score === null) return;
    var body = new URLSearchParams();
    body.set("score", score);
    if (confirmed) body.set("confirmed", "1");
    if (csrf) body.set("csrfmiddlewaretoken", csrf.value);
    fetch(recordUrl, {
      method: "POST",
      body: body,
      credentials: "same-origin",
      headers: { "X-Requested-With": "fetch" },
    })
      .then(function (reply) {
        return reply.json().then(function (data) {
          return { status: reply.status, data: data };
        });
      })
      .then(function (result) {
        if (result.status === 409) {
          confirmBox.hidden = false;
          return;
        }
        confirmBox.hidden = true;
        statusLine.textContent = result.data.message || result.data.error || "";
        form.setAttribute("data-recorded-score", String(result.data.score));
      })
      .catch(function () {
        // The form still works without this: its submit button records everything.
      });
  }

  form.addEventListener("change", function (event) {
    if (event.target && event.target.name === "score") {
      showQuestion(event.target.value);
      record(event.target.value, true);
    }
  });

  document.getElementById("confirm-button").addEventListener("click", function () {
    record(chosen(), true);
  });

  if (form.getAttribute("data-auto-record") === "1") {
    if (navigator.webdriver) {
      confirmBox.hidden = false;
    } else if (document.visibilityState === "visible") {
      record(chosen(), false);
    } else {
      document.addEventListener("visibilitychange", function once() {
        if (document.visibilityState === "visible") {
          document.removeEventListener("visibilitychange", once);
          record(chosen(), false);
        }
      });
    }
  }
})();
