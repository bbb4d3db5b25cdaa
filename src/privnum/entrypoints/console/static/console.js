// privnum console: the little behaviour htmx does not give. No inline scripts anywhere (CSP script-src 'self').
(function () {
  "use strict";

  // <button data-copy="#selector" data-copied-label="Copied">: copy the element's text to the clipboard.
  document.addEventListener("click", function (event) {
    var button = event.target.closest ? event.target.closest("[data-copy]") : null;
    if (!button) return;
    var source = document.querySelector(button.getAttribute("data-copy"));
    if (!source || !navigator.clipboard) return;
    navigator.clipboard.writeText(source.textContent.trim()).then(function () {
      var label = button.textContent;
      button.textContent = button.getAttribute("data-copied-label") || label;
      button.classList.add("is-done");
      setTimeout(function () { button.textContent = label; button.classList.remove("is-done"); }, 2000);
    });
  });

  // The navigation closes when a link in it is followed (narrow screens: it overlays the page).
  document.addEventListener("click", function (event) {
    if (event.target.closest && event.target.closest(".sidenav a")) {
      var open = document.getElementById("nav-open");
      if (open) open.checked = false;
    }
  });
})();
