/* Buurtbasis area map: draws the boundaries embedded in the page (json_script #map-data) as
   vectors with Leaflet. The page works without it: the list is the primary content, this map
   is an enhancement. The map stays hidden until it can be drawn. No inline styles: Leaflet
   positions elements through the CSSOM, which the CSP allows. */
(function () {
  "use strict";

  function start() {
    var dataElement = document.getElementById("map-data");
    var box = document.getElementById("area-map");
    var figure = document.getElementById("map-figure");
    if (!dataElement || !box || !figure || typeof window.L === "undefined") {
      return;
    }
    var data;
    try {
      data = JSON.parse(dataElement.textContent);
    } catch (e) {
      return;
    }
    if (!data || !data.features || data.features.length === 0) {
      return;
    }
    var L = window.L;
    figure.hidden = false;

    var map = L.map(box, {
      scrollWheelZoom: false,
      zoomSnap: 0.25,
      zoomControl: false,
      attributionControl: true
    });
    // Zoom buttons labelled in the page's language.
    L.control.zoom({
      zoomInTitle: box.getAttribute("data-zoom-in") || "+",
      zoomOutTitle: box.getAttribute("data-zoom-out") || "-"
    }).addTo(map);
    map.attributionControl.setPrefix(
      '<a href="https://leafletjs.com" hreflang="en">Leaflet</a>'
    );
    var tilesUrl = box.getAttribute("data-tiles-url");
    if (tilesUrl) {
      L.tileLayer(tilesUrl, {
        attribution: box.getAttribute("data-tiles-attribution") || "",
        maxZoom: 19
      }).addTo(map);
    }

    var styles = {
      self: { color: "#154273", weight: 3, fill: true, fillColor: "#154273", fillOpacity: 0.06 },
      selfWithChildren: { color: "#154273", weight: 3.5, fill: false },
      child: { color: "#154273", weight: 1.5, fillColor: "#8fcae7", fillOpacity: 0.35 },
      childHover: { weight: 3, fillColor: "#ffb612", fillOpacity: 0.55 }
    };
    var hasChildren = data.features.some(function (f) {
      return f.properties && f.properties.role === "child";
    });

    var layer = L.geoJSON(data, {
      style: function (feature) {
        var role = feature.properties && feature.properties.role;
        if (role === "child") {
          return styles.child;
        }
        return hasChildren ? styles.selfWithChildren : styles.self;
      },
      onEachFeature: function (feature, shape) {
        var props = feature.properties || {};
        if (props.role !== "child" || !props.url) {
          shape.options.interactive = false;
          return;
        }
        shape.bindTooltip(props.name, { sticky: true, direction: "top" });
        shape.on("click", function () {
          window.location.href = props.url;
        });
        shape.on("mouseover", function () {
          shape.setStyle(styles.childHover);
        });
        shape.on("mouseout", function () {
          shape.setStyle(styles.child);
        });
      }
    }).addTo(map);

    // Children are drawn below the outline of the area itself.
    layer.eachLayer(function (shape) {
      if (shape.feature && shape.feature.properties.role === "self") {
        shape.bringToFront();
      }
    });
    var bounds = layer.getBounds();
    if (bounds.isValid()) {
      map.fitBounds(bounds, { padding: [12, 12] });
    }
    box.setAttribute("data-ready", "true");
  }

  if (document.readyState === "loading") {
    document.addEventListener("DOMContentLoaded", start);
  } else {
    start();
  }
})();
