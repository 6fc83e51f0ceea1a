/* The cash desk: Enter in the search box finds (a scanned EPC or Swiss QR payload is several
   lines, so there Enter adds a line), the change is shown while the cash tendered is typed, and
   the payment form cannot be sent twice by a double click (the server books one payment per
   form in any case). Everything works without this script. */
(function () {
  "use strict";

  function minor(text) {
    var match = /^\s*(\d+)(?:[.,](\d{1,2}))?\s*$/.exec(text || "");
    if (!match) {
      return null;
    }
    return parseInt(match[1], 10) * 100 + parseInt((match[2] || "0").padEnd(2, "0"), 10);
  }

  function major(amount) {
    return Math.floor(amount / 100) + "." + String(amount % 100).padStart(2, "0");
  }

  function search(box) {
    box.addEventListener("keydown", function (event) {
      if (event.key !== "Enter" || event.shiftKey) {
        return;
      }
      var first = box.value.replace(/^\s+/, "").split(/\r?\n|\r/)[0];
      if (first === "BCD" || first === "SPC") {
        return;
      }
      event.preventDefault();
      if (box.value.trim()) {
        box.form.requestSubmit();
      }
    });
  }

  function payForm(form) {
    var amount = form.elements.amount;
    var tendered = form.elements.tendered;
    var tenderedField = form.querySelector("[data-desk-tendered]");
    var change = form.querySelector("[data-desk-change]");
    var button = form.querySelector("button[type=submit]");

    function method() {
      var checked = form.querySelector("input[name=method]:checked");
      return checked ? checked.value : "cash";
    }

    function update() {
      var cash = method() === "cash";
      tenderedField.hidden = !cash;
      var due = minor(amount.value);
      var given = minor(tendered.value);
      var show = cash && due !== null && given !== null && given >= due;
      change.hidden = !show;
      if (show) {
        change.querySelector("output").value = major(given - due);
      }
    }

    form.addEventListener("input", update);
    form.addEventListener("change", update);
    form.addEventListener("submit", function () {
      window.setTimeout(function () {
        button.disabled = true;
      }, 0);
    });
    // Back to this page from the browser's cache: the button was left disabled.
    window.addEventListener("pageshow", function () {
      button.disabled = false;
    });
    update();
  }

  document.addEventListener("DOMContentLoaded", function () {
    document.querySelectorAll("[data-desk-search]").forEach(search);
    document.querySelectorAll("[data-desk-pay]").forEach(payForm);
  });
})();
