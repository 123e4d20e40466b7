// Common Ground's progressive enhancement: every page works without this file. It draws the maps (from
// the coordinates the lists carry), and moves focus to a form's error summary or conflict notice.
"use strict";

function drawMap(container) {
  if (typeof L === "undefined") return;
  const points = Array.from(document.querySelectorAll("[data-point]"))
    .map((point) => ({ point, at: [Number(point.dataset.latitude), Number(point.dataset.longitude)] }))
    .filter(({ at }) => Number.isFinite(at[0]) && Number.isFinite(at[1]));
  if (points.length === 0) return;
  container.hidden = false;
  const map = L.map(container, { scrollWheelZoom: false });
  if (points.length === 1) {
    map.setView(points[0].at, 11);
  } else {
    map.fitBounds(points.map(({ at }) => at), { padding: [48, 48], maxZoom: 12 });
  }
  const tiles = container.dataset.tiles;
  if (tiles) {
    L.tileLayer(tiles, { maxZoom: 18, attribution: "© OpenStreetMap contributors" }).addTo(map);
  }
  for (const { point, at } of points) {
    // An approximate place is an area, never a pin; an exact one a point.
    const shape = point.dataset.radius
      ? L.circle(at, { radius: Number(point.dataset.radius), color: "#1d4f91", weight: 2, fillOpacity: 0.2 })
      : L.circleMarker(at, { radius: 7, color: "#00504c", weight: 2, fillOpacity: 0.8 });
    const link = document.createElement("a");
    link.href = point.dataset.href;
    link.textContent = point.dataset.name;
    shape.bindPopup(link).addTo(map);
  }
  container.dataset.drawn = String(points.length);
}

document.addEventListener("DOMContentLoaded", () => {
  document.querySelectorAll("[data-map]").forEach(drawMap);
  const problem = document.querySelector(".conflict, .error-summary");
  if (problem) problem.focus();
});
