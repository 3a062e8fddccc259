// Small additions to the handbook pages; every page works without this file.
"use strict";
// Keep opened handbook pages for reading offline (needs HTTPS, or localhost).
if ("serviceWorker" in navigator) {
  navigator.serviceWorker.register("/sw.js").catch(() => {});
}
// "In" buttons on the print view open the browser's print dialogue.
for (const b of document.querySelectorAll("[data-print]")) {
  b.hidden = false;
  b.addEventListener("click", () => window.print());
}
