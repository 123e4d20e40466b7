// Common Ground's progressive enhancement: every page works without this file. It draws the maps (from
// the coordinates the lists carry), lets planners drag sessions across the agenda grid, keeps a running
// solve's progress up to date, and moves focus to a form's error summary or conflict notice.
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

// Dropping a session on another cell of the grid fills in that session's own "Move or pin" form (the way to
// move it with a keyboard, or without this file) with the cell's slot and room, and sends it.
function movableGrid(grid) {
  let dragged = null;
  grid.querySelectorAll(".session[data-move]").forEach((session) => {
    session.draggable = true;
    session.addEventListener("dragstart", (event) => {
      dragged = session;
      event.dataTransfer.setData("text/plain", session.id);
      event.dataTransfer.effectAllowed = "move";
    });
    session.addEventListener("dragend", () => {
      dragged = null;
    });
  });
  grid.querySelectorAll("td[data-slot][data-room]").forEach((cell) => {
    cell.addEventListener("dragover", (event) => {
      if (!dragged) return;
      event.preventDefault();
      cell.classList.add("drop-target");
    });
    cell.addEventListener("dragleave", () => cell.classList.remove("drop-target"));
    cell.addEventListener("drop", (event) => {
      event.preventDefault();
      cell.classList.remove("drop-target");
      const form = dragged && document.getElementById(dragged.dataset.move);
      dragged = null;
      if (!form) return;
      form.elements.slot.value = cell.dataset.slot;
      form.elements.room.value = cell.dataset.room;
      form.requestSubmit();
    });
  });
}

// A running solve's page asks for itself again twice a second and shows the new step and progress; once the
// solve has made its agenda the page goes there, and if it failed the page shows why.
function followSolve(section) {
  section.querySelectorAll(".no-script").forEach((element) => {
    element.hidden = true;
  });
  const poll = async () => {
    const response = await fetch(window.location.href, { credentials: "same-origin" }).catch(() => null);
    if (!response || !response.ok) {
      setTimeout(poll, 2000);
      return;
    }
    if (response.redirected) {
      window.location.assign(response.url);
      return;
    }
    const page = new DOMParser().parseFromString(await response.text(), "text/html");
    if (!page.querySelector("[data-solve-running]")) {
      window.location.reload();
      return;
    }
    const step = page.getElementById("solve-step").textContent;
    if (document.getElementById("solve-step").textContent !== step) {
      document.getElementById("solve-step").textContent = step;
    }
    const progress = document.getElementById("solve-progress");
    const fresh = page.getElementById("solve-progress");
    progress.value = fresh.value;
    progress.textContent = fresh.textContent;
    setTimeout(poll, 500);
  };
  setTimeout(poll, 500);
}

document.addEventListener("DOMContentLoaded", () => {
  document.querySelectorAll("[data-map]").forEach(drawMap);
  document.querySelectorAll(".agenda-grid").forEach(movableGrid);
  document.querySelectorAll("[data-solve-running]").forEach(followSolve);
  const problem = document.querySelector(".conflict, .error-summary");
  if (problem) problem.focus();
});
