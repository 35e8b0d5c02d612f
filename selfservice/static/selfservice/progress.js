// Live progress of running imports: every element with data-poll is replaced by a fresh copy
// of itself from the server every two seconds, until the run finishes (the fresh copy then has
// no data-poll). No library, nothing loaded from elsewhere.
(function () {
  "use strict";
  var EVERY_MS = 2000;
  function refresh(element) {
    var url = element.getAttribute("data-poll");
    fetch(url, { credentials: "same-origin", headers: { "X-Requested-With": "fetch" } })
      .then(function (response) { return response.ok ? response.text() : Promise.reject(response.status); })
      .then(function (html) {
        var holder = document.createElement("div");
        holder.innerHTML = html.trim();
        var fresh = holder.firstElementChild;
        if (!fresh) { return; }
        element.replaceWith(fresh);
        if (fresh.hasAttribute("data-poll")) { schedule(fresh); }
      })
      .catch(function () { schedule(element, EVERY_MS * 5); });
  }
  function schedule(element, wait) {
    window.setTimeout(function () { refresh(element); }, wait || EVERY_MS);
  }
  document.querySelectorAll("[data-poll]").forEach(function (element) { schedule(element); });
})();
