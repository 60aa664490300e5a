/* Submission and owner forms: a draggable pin sets the lat/lon inputs (which stay usable
   by hand, so the form also works without JavaScript), and "Use my location" moves it. */
(function () {
  "use strict";
  var mapEl = document.getElementById("pin-map");
  var lat = document.getElementById("lat");
  var lon = document.getElementById("lon");
  if (!mapEl || !lat || !lon) { return; }

  function wire(map) {
    var start = null;
    var la = parseFloat(lat.value), lo = parseFloat(lon.value);
    if (isFinite(la) && isFinite(lo)) { start = [la, lo]; }
    var marker = null;
    function place(latlng, pan) {
      if (!marker) {
        marker = L.marker(latlng, { draggable: true, autoPan: true, title: mapEl.getAttribute("data-pin-label") || "" }).addTo(map);
        marker.on("dragend", function () { write(marker.getLatLng()); });
      } else {
        marker.setLatLng(latlng);
      }
      if (pan) { map.setView(latlng, Math.max(map.getZoom(), 16)); }
    }
    function write(latlng) {
      lat.value = latlng.lat.toFixed(6);
      lon.value = latlng.lng.toFixed(6);
      lat.dispatchEvent(new Event("change", { bubbles: true }));
    }
    if (start) { place(start, true); }
    map.on("click", function (ev) { place(ev.latlng, false); write(ev.latlng); });
    function fromInputs() {
      var a = parseFloat(lat.value), b = parseFloat(lon.value);
      if (isFinite(a) && isFinite(b) && Math.abs(a) <= 90 && Math.abs(b) <= 180) { place([a, b], true); }
    }
    lat.addEventListener("input", fromInputs);
    lon.addEventListener("input", fromInputs);
    var here = document.getElementById("pin-here");
    if (here && "geolocation" in navigator) {
      here.hidden = false;
      here.addEventListener("click", function () {
        navigator.geolocation.getCurrentPosition(function (pos) {
          var ll = L.latLng(pos.coords.latitude, pos.coords.longitude);
          place(ll, true);
          write(ll);
        }, function () { /* the reader can still click the map or type */ });
      });
    }
  }
  if (window.DekatMaps && window.DekatMaps[mapEl.id]) {
    wire(window.DekatMaps[mapEl.id].map);
  } else {
    mapEl.addEventListener("dekat:map-ready", function (ev) { wire(ev.detail.map); });
  }
})();
