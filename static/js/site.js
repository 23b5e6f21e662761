/* Progressive enhancements shared by pages (no inline script: the CSP allows only 'self').
   Marks the document as scripted, so text that is true only with JavaScript shows
   (.js-only), and wires buttons that print the page ([data-print]). */
(function () {
  "use strict";
  document.documentElement.classList.add("js");
  document.addEventListener("click", function (event) {
    var target = event.target.closest ? event.target.closest("[data-print]") : null;
    if (target) {
      event.preventDefault();
      window.print();
    }
  });
})();
