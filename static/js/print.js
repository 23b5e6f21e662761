// Buttons marked data-print print the page. They stay hidden without JavaScript (the
// browser's own print command works there); a file, not an onclick, for the CSP.
"use strict";
document.querySelectorAll("[data-print]").forEach((button) => {
  button.hidden = false;
  button.addEventListener("click", () => window.print());
});
