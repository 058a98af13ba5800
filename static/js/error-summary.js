// GOV.UK pattern: when a page shows an error summary, it takes focus, so a keyboard or screen
// reader user hears what went wrong first and can follow its links to each field.
document.addEventListener("DOMContentLoaded", function () {
  var summary = document.getElementById("error-summary");
  if (summary) {
    summary.focus();
  }
});
