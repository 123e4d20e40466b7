// Common Ground's progressive enhancement: every page works without this file. It draws the maps (from
// the coordinates the lists carry), and moves focus to a form's error summary or conflict notice.
"use strict";

function drawMap(container) {
  if (typeof L === "undefined") return;
  const points = Array.from(document.querySelectorAll("[data-point]"));
  if (points.length === 0) return;
  container.hidden = false;
  const map = L.map(container, { scrollWheelZoom: false });
  const tiles = container.dataset.tiles;
  if (tiles) {
    L.tileLayer(tiles, { maxZoom: 18, attribution: "© OpenStreetMap contributors" }).addTo(map);
  }
  const bounds = [];
  let drawn = 0;
  for (const point of points) {
    const at = [Number(point.dataset.latitude), Number(point.dataset.longitude)];
    if (!Number.isFinite(at[0]) || !Number.isFinite(at[1])) continue;
    // An approximate place is an area, never a pin; an exact one a point.
    const shape = point.dataset.radius
      ? L.circle(at, { radius: Number(point.dataset.radius), color: "#1d4f91", weight: 2, fillOpacity: 0.2 })
      : L.circleMarker(at, { radius: 7, color: "#00504c", weight: 2, fillOpacity: 0.8 });
    const link = document.createElement("a");
    link.href = point.dataset.href;
    link.textContent = point.dataset.name;
    shape.bindPopup(link).addTo(map);
    shape.getElement && shape.getElement().setAttribute("aria-label", point.dataset.name);
    bounds.push(at);
    drawn += 1;
  }
  container.dataset.drawn = String(drawn);
  if (bounds.length === 1) {
    map.setView(bounds[0], 11);
  } else {
    map.fitBounds(bounds, { padding: [24, 24], maxZoom: 12 });
  }
}

document.addEventListener("DOMContentLoaded", () => {
  document.querySelectorAll("[data-map]").forEach(drawMap);
  const problem = document.querySelector(".conflict, .error-summary");
  if (problem) problem.focus();
});
