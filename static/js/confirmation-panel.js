// GOV.UK pattern: after a save the confirmation panel at the top of the page takes the focus, so a
// keyboard or screen reader user hears the result first and carries on from the top of the page.
document.addEventListener("DOMContentLoaded", function () {
  var panel = document.getElementById("confirmation");
  if (panel && !document.getElementById("error-summary")) {
    panel.focus();
  }
});
