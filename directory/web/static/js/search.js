/* Search page enhancements; the form works without them.
   - "Near me": asks the browser for the location, fills lat/lon and searches by distance.
   - "Search this area": after the reader moves the map, searches inside its bounds (bbox).
   - Suggestions for the text box from /api/v1/autocomplete, shown through a <datalist>. */
(function () {
  "use strict";
  var form = document.getElementById("search-form");
  if (!form) { return; }
  var status = document.getElementById("geo-status");

  function field(name) { return form.querySelector("[name='" + name + "']"); }
  function setField(name, value) {
    var input = field(name);
    if (!input) { return; }
    input.disabled = false;
    if (input.type === "checkbox") { input.checked = true; }
    input.value = value;
  }
  function clearCursor() {
    var cursor = field("cursor");
    if (cursor) { cursor.disabled = true; }
  }

  var nearMe = document.getElementById("near-me");
  if (nearMe && "geolocation" in navigator) {
    nearMe.hidden = false;
    nearMe.addEventListener("click", function () {
      status.textContent = nearMe.getAttribute("data-wait") || "…";
      navigator.geolocation.getCurrentPosition(function (pos) {
        setField("lat", pos.coords.latitude.toFixed(6));
        setField("lon", pos.coords.longitude.toFixed(6));
        var sort = field("urut");
        if (sort && sort.value === "relevance") { sort.value = "distance"; }
        var area = field("area");
        if (area) { area.value = ""; }
        clearCursor();
        form.submit();
      }, function () {
        status.textContent = status.getAttribute("data-denied") || "";
      }, { enableHighAccuracy: false, timeout: 10000, maximumAge: 300000 });
    });
  }

  var areaButton = document.getElementById("search-map-area");
  var mapEl = document.getElementById("results-map");
  function wireMap(map) {
    if (!areaButton) { return; }
    var moved = false;
    map.once("movestart", function () { moved = true; });
    map.on("moveend", function () { if (moved) { areaButton.hidden = false; } });
    areaButton.addEventListener("click", function () {
      var b = map.getBounds();
      var bbox = [b.getWest(), b.getSouth(), b.getEast(), b.getNorth()]
        .map(function (v) { return v.toFixed(5); }).join(",");
      setField("bbox", bbox);
      var area = field("area");
      if (area) { area.value = ""; }
      clearCursor();
      form.submit();
    });
  }
  if (mapEl) {
    if (window.DekatMaps && window.DekatMaps[mapEl.id]) {
      wireMap(window.DekatMaps[mapEl.id].map);
    } else {
      mapEl.addEventListener("dekat:map-ready", function (ev) { wireMap(ev.detail.map); });
    }
  }

  // Suggestions as the reader types, from the same service as the API's autocomplete.
  // The text box gets categories and business names; the area box gets areas (typos
  // included: "pamulng" suggests Pamulang). The server-rendered area list stays the
  // fallback without JavaScript.
  function suggest(input, list, pick) {
    if (!input || !list || !window.fetch) { return; }
    var timer = null;
    var last = "";
    input.addEventListener("input", function () {
      var text = input.value.trim();
      if (text.length < 2 || text === last) { return; }
      clearTimeout(timer);
      timer = setTimeout(function () {
        last = text;
        var lang = document.documentElement.lang || "id";
        fetch("/api/v1/autocomplete?limit=8&lang=" + encodeURIComponent(lang) +
              "&q=" + encodeURIComponent(text), { headers: { "Accept": "application/json" } })
          .then(function (r) { return r.ok ? r.json() : null; })
          .then(function (data) {
            var names = data ? pick(data) : [];
            if (!names.length) { return; }
            while (list.firstChild) { list.removeChild(list.firstChild); }
            names.forEach(function (name) {
              var option = document.createElement("option");
              option.value = name;
              list.appendChild(option);
            });
          })
          .catch(function () { /* suggestions are optional */ });
      }, 150);
    });
  }
  function names(items) { return (items || []).map(function (i) { return i.name; }); }
  suggest(document.getElementById("q"), document.getElementById("q-suggestions"),
          function (d) { return names(d.categories).concat(names(d.businesses)); });
  suggest(document.getElementById("area"), document.getElementById("area-options"),
          function (d) { return names(d.areas); });
})();
