/* Neighbour help: pick your private point on a map. An enhancement only — the latitude and
   longitude fields work without it, and an empty point means "the middle of my neighbourhood".
   The data comes from json_script #mh-point-data; no inline styles (strict CSP). */
(function () {
  "use strict";

  function start() {
    var dataElement = document.getElementById("mh-point-data");
    var box = document.getElementById("mh-point-map");
    var latInput = document.getElementById("id_lat");
    var lonInput = document.getElementById("id_lon");
    if (!dataElement || !box || !latInput || !lonInput || typeof window.L === "undefined") {
      return;
    }
    var data;
    try {
      data = JSON.parse(dataElement.textContent);
    } catch (e) {
      return;
    }
    if (!data || !data.centre) {
      return;
    }
    var L = window.L;
    box.hidden = false;
    var map = L.map(box, { scrollWheelZoom: false });
    map.attributionControl.setPrefix('<a href="https://leafletjs.com" hreflang="en">Leaflet</a>');
    var tilesUrl = box.getAttribute("data-tiles-url");
    if (tilesUrl) {
      L.tileLayer(tilesUrl, {
        attribution: box.getAttribute("data-tiles-attribution") || "",
        maxZoom: 19
      }).addTo(map);
    }
    var outline = null;
    if (data.boundary) {
      outline = L.geoJSON(data.boundary, {
        style: { color: "#154273", weight: 2, fillColor: "#8fcae7", fillOpacity: 0.2 }
      }).addTo(map);
    }
    if (outline) {
      map.fitBounds(outline.getBounds(), { padding: [10, 10] });
    } else {
      map.setView(data.centre, 15);
    }
    var marker = null;

    function place(latlng) {
      if (marker) {
        marker.setLatLng(latlng);
      } else {
        marker = L.circleMarker(latlng, { radius: 8, color: "#1a1a1a", weight: 3 }).addTo(map);
      }
    }

    var lat = parseFloat((latInput.value || "").replace(",", "."));
    var lon = parseFloat((lonInput.value || "").replace(",", "."));
    if (!isNaN(lat) && !isNaN(lon)) {
      place([lat, lon]);
    }
    map.on("click", function (event) {
      place(event.latlng);
      latInput.value = event.latlng.lat.toFixed(5);
      lonInput.value = event.latlng.lng.toFixed(5);
    });
  }

  if (document.readyState === "loading") {
    document.addEventListener("DOMContentLoaded", start);
  } else {
    start();
  }
})();
