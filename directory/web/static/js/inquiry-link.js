// The buyer's private link carries the receipt token in the URL fragment (#token=…), which
// browsers never send to a server. As on the owner page (owner-link.js), this takes it out
// of the address bar at once and POSTs it; the server answers with an HttpOnly cookie.
(function () {
  "use strict";
  var form = document.getElementById("inquiry-link-form");
  if (!form) return;
  var match = /(?:^#|&)token=([^&]+)/.exec(window.location.hash || "");
  if (!match) return;
  try {
    window.history.replaceState(null, "", window.location.pathname + window.location.search);
  } catch (e) { /* old browsers: the fragment stays, it still never reaches a server */ }
  form.elements.token.value = decodeURIComponent(match[1]);
  form.submit();
})();
