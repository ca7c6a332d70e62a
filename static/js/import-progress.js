// Keeps an import's status current while it waits for the worker or runs, without a timed
// reload of the page (which would move a screen reader's place and is a WCAG 2.2.1 failure):
// the page is fetched again in the background and only its live region is replaced. When
// the import has finished, the page is loaded once to show what was imported.
(function () {
  "use strict";
  var region = document.getElementById("import-live");
  if (!region || !region.hasAttribute("data-poll")) {
    return;
  }
  function tick() {
    fetch(window.location.href, { credentials: "same-origin" })
      .then(function (response) { return response.text(); })
      .then(function (text) {
        var fresh = new DOMParser().parseFromString(text, "text/html").getElementById("import-live");
        if (fresh && fresh.hasAttribute("data-poll")) {
          region.innerHTML = fresh.innerHTML;
          window.setTimeout(tick, 3000);
        } else {
          window.location.reload();
        }
      })
      .catch(function () { window.setTimeout(tick, 10000); });
  }
  window.setTimeout(tick, 3000);
})();
