/* "Konten berkualitas" in the post editor: re-check the text being typed on demand.
 *
 * Without JavaScript the checklist of the last saved text is already on the page (rendered by the
 * server after each save). With it, the button "Periksa teks yang sedang ditulis" appears and sends
 * the form's title, body and cover to POST /api/v1/berita/kualitas (the team's CSRF token in the
 * header, as the autosave does); the answer replaces the checklist. Nothing is stored by it.
 */
(function () {
  "use strict";
  var card = document.getElementById("kualitas-berita");
  var title = document.getElementById("f-title");
  if (!card || !title || !title.form || !window.fetch) return;
  var form = title.form;
  var button = card.querySelector("[data-quality-check]");
  var words = {};
  try { words = JSON.parse(document.getElementById("quality-text").textContent); } catch (e) { words = {}; }
  function t(key) { return words[key] || key; }
  function el(tag, cls, text) {
    var node = document.createElement(tag);
    if (cls) node.className = cls;
    if (text !== undefined) node.textContent = text;
    return node;
  }

  function show(result) {
    var summary = card.querySelector(".quality-summary");
    if (!summary) {
      summary = el("p", "quality-summary");
      summary.setAttribute("aria-live", "polite");
      card.insertBefore(summary, button.parentNode);
    }
    summary.textContent = "";
    summary.appendChild(el("strong", "quality-score", t("score").replace("{score}", result.score)));
    summary.appendChild(document.createTextNode(" "));
    summary.appendChild(el("span", result.good ? "badge on" : "badge warn",
      result.good ? t("good") : t("not_good").replace("{threshold}", result.threshold)));
    var list = card.querySelector(".quality-checks");
    if (!list) {
      list = el("ul", "rows quality-checks");
      card.insertBefore(list, button.parentNode);
    }
    list.textContent = "";
    result.checks.forEach(function (check) {
      var item = el("li", check.passed ? "passed" : "failed");
      item.setAttribute("data-check", check.key);
      item.appendChild(el("span", check.passed ? "badge on" : "badge warn", check.passed ? t("passed") : t("failed")));
      item.appendChild(document.createTextNode(" "));
      item.appendChild(el("span", "quality-reason", check.reason));
      list.appendChild(item);
    });
    var note = card.querySelector(".quality-live");
    if (!note) {
      note = el("p", "small muted quality-live");
      card.insertBefore(note, button.parentNode);
    }
    note.textContent = t("live_note");
  }

  button.hidden = false;
  button.addEventListener("click", function () {
    var token = form.querySelector('input[name="csrf_token"]');
    var data = new FormData(form);
    // A photo chosen for the cover counts as a cover; the file itself goes with the real save.
    var photo = form.querySelector('input[type=file][name="sampul_baru"]');
    if (photo) {
      data.delete("sampul_baru");
      if (photo.files && photo.files.length) data.set("cover", "baru");
    }
    button.disabled = true;
    var label = button.textContent;
    button.textContent = t("checking");
    fetch(card.getAttribute("data-quality-url"), {
      method: "POST",
      credentials: "same-origin",
      headers: { "X-CSRF-Token": token ? token.value : "", Accept: "application/json" },
      body: data,
    })
      .then(function (r) { if (!r.ok) throw new Error(r.status); return r.json(); })
      .then(show)
      .catch(function () {
        var note = card.querySelector(".quality-live") || el("p", "small muted quality-live");
        note.textContent = t("failed_request");
        if (!note.parentNode) card.insertBefore(note, button.parentNode);
      })
      .then(function () { button.disabled = false; button.textContent = label; });
  });
})();
