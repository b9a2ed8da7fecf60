// Resource center: choosing a country in the pull-down opens that country's home at once.
// The form still has its Go button for browsers without JavaScript.
(function () {
  "use strict";
  document.addEventListener("change", function (event) {
    var select = event.target.closest("form[data-auto-submit] select");
    if (!select || !select.value) return;
    select.form.requestSubmit ? select.form.requestSubmit() : select.form.submit();
  });
})();
