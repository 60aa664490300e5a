/* Page events: a tap on a place's phone, WhatsApp, directions or website link is sent to
   POST /events with navigator.sendBeacon (it survives the page being left). The server
   adds this script only for readers who may be recorded; Do-Not-Track and Global Privacy
   Control are checked here too. The page view itself is recorded by the server. */
(function () {
  "use strict";
  var root = document.querySelector("[data-events-url]");
  if (!root || !navigator.sendBeacon || typeof URLSearchParams === "undefined") { return; }
  if (navigator.doNotTrack === "1" || navigator.globalPrivacyControl === true) { return; }
  var url = root.getAttribute("data-events-url");
  var business = root.getAttribute("data-business-id");
  var csrf = root.getAttribute("data-csrf");

  function send(event) {
    var target = event.target;
    var link = target && target.closest ? target.closest("a[data-event]") : null;
    if (!link || !root.contains(link)) { return; }
    if (event.type === "auxclick" && event.button !== 1) { return; }
    var body = new URLSearchParams();
    body.set("business", business);
    body.set("action", link.getAttribute("data-event"));
    body.set("csrf_token", csrf);
    navigator.sendBeacon(url, body);
  }

  document.addEventListener("click", send);
  document.addEventListener("auxclick", send);
}());
