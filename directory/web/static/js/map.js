/* Dekat maps: every element with data-map gets a Leaflet map built from a JSON block.
   The JSON (markers, centre/zoom or bbox) is written by the server; popups are built with
   DOM text nodes, never HTML strings, so names from users cannot inject markup.
   Markers do not depend on tiles: without network the map is grey but the pins show. */
(function () {
  "use strict";
  if (typeof L === "undefined") { return; }
  window.DekatMaps = window.DekatMaps || {};

  function popupFor(marker) {
    var box = document.createElement("div");
    var strong = document.createElement("strong");
    if (marker.url) {
      var link = document.createElement("a");
      link.href = marker.url;
      link.textContent = marker.name;
      strong.appendChild(link);
    } else {
      strong.textContent = marker.name;
    }
    box.appendChild(strong);
    return box;
  }

  function iconFor(marker) {
    if (!marker.label) { return new L.Icon.Default(); }
    return L.divIcon({
      className: "pin",
      html: String(marker.label).replace(/[^0-9A-Za-z]/g, ""),
      iconSize: [28, 28],
      iconAnchor: [14, 14],
      popupAnchor: [0, -12]
    });
  }

  function build(el) {
    var source = document.getElementById(el.getAttribute("data-map"));
    if (!source) { return; }
    var data = JSON.parse(source.textContent || "{}");
    var map = L.map(el, { scrollWheelZoom: false, tap: true });
    L.tileLayer(el.getAttribute("data-tiles"), {
      maxZoom: 19,
      attribution: el.getAttribute("data-attribution") || ""
    }).addTo(map);
    var layer = L.featureGroup().addTo(map);
    (data.markers || []).forEach(function (m) {
      L.marker([m.lat, m.lon], { icon: iconFor(m), title: m.name, alt: m.name, riseOnHover: true })
        .bindPopup(popupFor(m))
        .addTo(layer);
    });
    if (data.bbox) {
      map.fitBounds([[data.bbox[1], data.bbox[0]], [data.bbox[3], data.bbox[2]]]);
    } else if ((data.markers || []).length > 1) {
      map.fitBounds(layer.getBounds(), { padding: [24, 24], maxZoom: 16 });
    } else if (data.center) {
      map.setView(data.center, data.zoom || 15);
    } else if ((data.markers || []).length === 1) {
      map.setView([data.markers[0].lat, data.markers[0].lon], data.zoom || 16);
    } else {
      map.setView([-6.2886, 106.7179], 11);
    }
    window.DekatMaps[el.id] = { map: map, markers: layer };
    el.setAttribute("data-ready", "1");
    el.dispatchEvent(new CustomEvent("dekat:map-ready", { bubbles: true, detail: { map: map, markers: layer } }));
  }

  function init() {
    Array.prototype.forEach.call(document.querySelectorAll("[data-map]"), build);
  }
  if (document.readyState === "loading") {
    document.addEventListener("DOMContentLoaded", init);
  } else {
    init();
  }
})();
