// While a PDF is being prepared, check every few seconds and offer it as soon as it is ready.
// Progressive enhancement: without this script the page's own link does the same by hand.
(function () {
  "use strict";
  var box = document.getElementById("document-state");
  if (!box || !window.fetch) { return; }
  var stateUrl = box.getAttribute("data-state-url");
  var pdfUrl = box.getAttribute("data-pdf-url");
  var tries = 0;

  function offer(pages) {
    var p = document.createElement("p");
    var link = document.createElement("a");
    link.href = pdfUrl;
    link.textContent = "Download the PDF";
    p.textContent = "The PDF is ready" + (pages ? " (" + pages + " pages). " : ". ");
    p.appendChild(link);
    box.replaceChildren(p);
  }

  function check() {
    tries += 1;
    fetch(stateUrl, { credentials: "same-origin", headers: { "Accept": "application/json" } })
      .then(function (response) { return response.ok ? response.json() : { state: "unknown" }; })
      .then(function (data) {
        if (data.state === "ready") {
          offer(data.pages);
        } else if (data.state === "failed") {
          window.location.reload();
        } else if (tries < 120) {
          window.setTimeout(check, 3000);
        }
      })
      .catch(function () { if (tries < 120) { window.setTimeout(check, 5000); } });
  }
  window.setTimeout(check, 2000);
})();
