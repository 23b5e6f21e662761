/* The public board refreshes itself: poll the board fragment with its ETag, so an unchanged
   board costs a 304, and swap it in when it changed. Without JavaScript the page is complete
   and says when it was generated; this only adds the refresh and the "last checked" time. */
(function () {
  "use strict";
  var board = document.getElementById("board");
  if (!board || !window.fetch) return;
  var url = board.getAttribute("data-refresh-url");
  var seconds = parseInt(board.getAttribute("data-refresh-seconds"), 10) || 30;
  var etag = board.getAttribute("data-etag") || "";
  var checked = document.getElementById("board-checked");

  function stamp() {
    if (!checked) return;
    var now = new Date();
    checked.setAttribute("datetime", now.toISOString());
    checked.textContent = now.toLocaleTimeString("ja-JP", { timeZone: "Asia/Tokyo", hour12: false });
  }

  function poll() {
    var headers = { "X-Requested-With": "fetch" };
    if (etag) headers["If-None-Match"] = etag;
    fetch(url, { headers: headers, credentials: "same-origin", cache: "no-cache" })
      .then(function (response) {
        if (response.status === 200) {
          etag = response.headers.get("ETag") || "";
          return response.text().then(function (html) {
            board.innerHTML = html;
            board.setAttribute("data-etag", etag);
            stamp();
          });
        }
        if (response.status === 304) stamp();
      })
      .catch(function () { /* offline: keep the page as it is and try again later */ })
      .then(function () { window.setTimeout(poll, seconds * 1000); });
  }

  stamp();
  window.setTimeout(poll, seconds * 1000);
})();
