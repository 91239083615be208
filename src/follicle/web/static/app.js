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
});
