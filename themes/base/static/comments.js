// "Bermanfaat" without a reload: post the same form with fetch and show the new count. Without
// JavaScript (or when fetch fails) the form posts as usual and the page comes back with a message.
document.querySelectorAll("form[data-bermanfaat]").forEach(function (form) {
  if (!window.fetch) return;
  var count = form.querySelector("[data-jumlah]");
  var note = form.parentNode.querySelector("[data-pesan]");
  form.addEventListener("submit", function (event) {
    event.preventDefault();
    var button = form.querySelector("button");
    button.disabled = true;
    fetch(form.action, { method: "POST", headers: { Accept: "application/json" }, credentials: "same-origin" })
      .then(function (r) { if (!r.ok) throw new Error(r.status); return r.json(); })
      .then(function (data) {
        if (count) count.textContent = data.count.toLocaleString("id-ID");
        if (note) note.textContent = data.message;
      })
      .catch(function () { form.submit(); });
  });
});
