// "Salin tautan": copy the post's address. Without JavaScript the button stays hidden and the
// address box beside it can be selected and copied by hand.
document.querySelectorAll("[data-salin]").forEach(function (b) {
  var box = document.getElementById(b.getAttribute("data-salin"));
  if (!box) return;
  b.hidden = false;
  b.addEventListener("click", function () {
    var done = function () { b.textContent = b.getAttribute("data-ok"); };
    box.select();
    if (navigator.clipboard) navigator.clipboard.writeText(box.value).then(done, function () {});
    else if (document.execCommand("copy")) done();
  });
});
