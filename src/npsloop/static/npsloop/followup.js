// The follow-up page: records the score chosen in the email once a person's input reaches
// the page, and again whenever they pick another one. Link scanners that run scripts open
// pages and let them run; they don't move a mouse, touch the screen or press keys, and
// those that do while walking every link are refused by the server (409: a burst of
// scores, or the email's hidden link fetched), so the page asks for one click instead.
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

  // One recording at a time, in order: the first input may be a click on another score,
  // and the score it chooses must land after the one the email chose.
  var pending = Promise.resolve();

  function record(score, confirmed) {
    if (!recordUrl || score === null) return;
    var body = new URLSearchParams();
    body.set("score", score);
    if (confirmed) body.set("confirmed", "1");
    if (csrf) body.set("csrfmiddlewaretoken", csrf.value);
    pending = pending.then(function () {
      return send(body);
    });
  }

  function send(body) {
    return fetch(recordUrl, {
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

  // Input events the browser marks trusted come from the person's mouse, finger or
  // keyboard (or a debugger driving the browser), never from a script on the page.
  var INPUTS = ["pointermove", "pointerdown", "touchstart", "keydown", "wheel"];

  function whenSomeoneIsThere(then) {
    function heard(event) {
      if (!event.isTrusted || document.visibilityState !== "visible") return;
      // Blink's own pointer updates after a layout change don't move: no hand on a mouse.
      if (event.type === "pointermove" && !event.movementX && !event.movementY) return;
      INPUTS.forEach(function (type) {
        window.removeEventListener(type, heard, true);
      });
      then();
    }
    INPUTS.forEach(function (type) {
      window.addEventListener(type, heard, { capture: true, passive: true });
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
    } else {
      // The score chosen in the email; picking another one records that instead.
      var emailed = chosen();
      whenSomeoneIsThere(function () {
        if (chosen() === emailed) record(emailed, false);
      });
    }
  }
})();
