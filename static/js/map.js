/* Draws the maps described by data- attributes (no inline script: the CSP forbids it).
   Without JavaScript, or without a tile server, the list on the page is the map's fallback. */
(function () {
  "use strict";
  if (!window.L) { return; }

  function tiles(el, map) {
    L.tileLayer(el.getAttribute("data-tiles"), {
      attribution: el.getAttribute("data-attribution") || "", maxZoom: 18
    }).addTo(map);
  }

  function marker(lat, lon, name, url) {
    var m = L.marker([lat, lon], { title: name, alt: name, keyboard: true });
    if (url) {
      var link = document.createElement("a");
      link.href = url;
      link.textContent = name;
      m.bindPopup(link);
    }
    return m;
  }

  document.querySelectorAll(".map[data-lat]").forEach(function (el) {
    var lat = parseFloat(el.getAttribute("data-lat")), lon = parseFloat(el.getAttribute("data-lon"));
    var map = L.map(el, { scrollWheelZoom: false }).setView([lat, lon], 15);
    tiles(el, map);
    marker(lat, lon, el.getAttribute("data-name"), null).addTo(map);
  });

  var big = document.getElementById("results-map");
  if (!big) { return; }
  var map = L.map(big, { scrollWheelZoom: false });
  tiles(big, map);
  var points = [];
  document.querySelectorAll(".map-points [data-lat]").forEach(function (item, i) {
    var lat = parseFloat(item.getAttribute("data-lat")), lon = parseFloat(item.getAttribute("data-lon"));
    var name = (i + 1) + ". " + item.getAttribute("data-name");
    marker(lat, lon, name, item.getAttribute("data-url")).addTo(map);
    points.push([lat, lon]);
  });
  if (points.length) {
    map.fitBounds(points, { padding: [30, 30], maxZoom: 15 });
  } else {
    var centre = (big.getAttribute("data-centre") || "").split(",");
    if (centre.length === 2) { map.setView([parseFloat(centre[0]), parseFloat(centre[1])], 12); }
  }
})();
