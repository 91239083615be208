// follicle: small progressive enhancements (the pages work without them).
"use strict";

document.addEventListener("DOMContentLoaded", () => {
  // The user's time zone, recorded with journal entries and used for calendars.
  const zone = Intl.DateTimeFormat().resolvedOptions().timeZone || "";
  for (const input of document.querySelectorAll('input[data-fill="timezone"]')) {
    if (!input.value) input.value = zone;
  }

  // The journal form shows the fields of the chosen kind only.
  const kind = document.getElementById("kind");
  if (kind) {
    const update = () => {
      for (const set of document.querySelectorAll("fieldset[data-kind]")) {
        const shown = set.dataset.kind.split(" ").includes(kind.value);
        set.hidden = !shown;
        set.disabled = !shown; // hidden fields are not sent
      }
    };
    kind.addEventListener("change", update);
    update();
  }

  // Typing a scale or choosing a device selects its radio ("scale:um_per_px"), so a
  // value typed beside an unchosen option is not silently ignored.
  for (const field of document.querySelectorAll("[data-selects]")) {
    const [name, value] = field.dataset.selects.split(":");
    const radio = field.form && field.form.querySelector(
      `input[type=radio][name="${name}"][value="${value}"]`);
    if (!radio) continue;
    const choose = () => { radio.checked = true; };
    field.addEventListener("input", choose);
    field.addEventListener("change", choose);
  }

  for (const panel of document.querySelectorAll("details[data-correct]")) correctByClicking(panel);
});

// Corrections by hand on the Measure page: a click on an image's overlay fills its
// panel's fields (which can also be typed), and what they say is drawn over the overlay.
function correctByClicking(panel) {
  const section = panel.closest("section");
  const image = section && section.querySelector("figure.overlay img");
  const data = panel.querySelector("script.hair-lines");
  if (!image || !data) return;
  const lines = JSON.parse(data.textContent);
  const modes = panel.querySelector("fieldset.click-mode");
  const status = panel.querySelector("output.click-status");
  const field = (part) => panel.querySelector(`[data-part=${part}]`);
  modes.hidden = false;

  const svgNS = "http://www.w3.org/2000/svg";
  const stack = document.createElement("div");
  stack.className = "overlay-stack";
  image.replaceWith(stack);
  stack.appendChild(image);
  const svg = document.createElementNS(svgNS, "svg");
  svg.setAttribute("class", "corrections");
  svg.setAttribute("aria-hidden", "true");
  stack.appendChild(svg);
  image.classList.add("clickable");

  const mode = () => modes.querySelector("input[type=radio]:checked").value;
  const numbers = () => field("remove").value.split(/[\s,]+/).filter((t) => /^\d+$/.test(t)).map(Number);
  const point = (text) => text.split(",").map(Number);
  const nearest = (x, y) => {
    let best = null;
    for (const hair of lines.hairs) {
      if (!hair.found) continue; // corrections name the hairs the analyser found
      for (const [px, py] of hair.points) {
        const d = Math.hypot(px - x, py - y);
        if (!best || d < best.d) best = { id: hair.id, d };
      }
    }
    return best && best.d <= 25 ? best.id : null;
  };
  const shape = (name, attributes, parent = svg) => {
    const node = document.createElementNS(svgNS, name);
    for (const [key, value] of Object.entries(attributes)) node.setAttribute(key, value);
    parent.appendChild(node);
    return node;
  };

  const draw = () => {
    svg.setAttribute("viewBox", `0 0 ${image.naturalWidth} ${image.naturalHeight}`);
    svg.replaceChildren();
    const removed = new Set(numbers());
    for (const hair of lines.hairs) {
      if (!removed.has(hair.id) || hair.points.length < 1) continue;
      const points = hair.points.map((p) => p.join(",")).join(" ");
      shape("polyline", { points, class: "removed" });
      const [x, y] = hair.points[Math.floor(hair.points.length / 2)];
      shape("path", { d: `M${x - 12},${y - 12}L${x + 12},${y + 12}M${x + 12},${y - 12}L${x - 12},${y + 12}`, class: "removed-mark" });
    }
    for (const line of field("add").value.split("\n")) {
      const points = line.trim().split(/\s+/).filter((t) => /^-?[\d.]+,-?[\d.]+$/.test(t)).map(point);
      if (points.length) shape("polyline", { points: points.map((p) => p.join(",")).join(" "), class: "added" });
      for (const [x, y] of points) shape("circle", { cx: x, cy: y, r: 4, class: "added" });
    }
    for (const line of field("split").value.split("\n")) {
      const parts = line.trim().split(/\s+/);
      if (parts.length !== 2 || !/^-?[\d.]+,-?[\d.]+$/.test(parts[1])) continue;
      const [x, y] = point(parts[1]);
      shape("circle", { cx: x, cy: y, r: 9, class: "split" });
    }
  };

  image.addEventListener("click", (event) => {
    const x = Math.round(event.offsetX * image.naturalWidth / image.clientWidth);
    const y = Math.round(event.offsetY * image.naturalHeight / image.clientHeight);
    const chosen = mode();
    if (chosen === "add") {
      const add = field("add");
      add.value += (add.value === "" || add.value.endsWith("\n") ? "" : " ") + `${x},${y}`;
      status.value = `point ${x},${y} added to the missed hair being drawn`;
    } else {
      const hair = nearest(x, y);
      if (hair === null) {
        status.value = `no hair found by the analyser within 25 px of ${x},${y}`;
      } else if (chosen === "remove") {
        const removed = numbers();
        const kept = removed.filter((id) => id !== hair);
        field("remove").value = (kept.length < removed.length ? kept : [...removed, hair]).join(", ");
        status.value = kept.length < removed.length ? `hair ${hair} kept` : `hair ${hair} removed`;
      } else {
        const split = field("split");
        split.value += (split.value === "" || split.value.endsWith("\n") ? "" : "\n") + `${hair} ${x},${y}`;
        status.value = `hair ${hair} split at ${x},${y}`;
      }
    }
    draw();
  });
  panel.querySelector("[data-action=next-hair]").addEventListener("click", () => {
    const add = field("add");
    if (add.value !== "" && !add.value.endsWith("\n")) add.value += "\n";
    for (const radio of modes.querySelectorAll("input[type=radio]")) radio.checked = radio.value === "add";
    status.value = "click along the next missed hair";
  });
  for (const name of ["remove", "add", "split"]) field(name).addEventListener("input", draw);
  if (image.complete) draw(); else image.addEventListener("load", draw);
}
