/* Tap-to-load embeds (etalase.platform.content.embeds): the player of YouTube, Facebook, Instagram
 * or TikTok is requested only when the reader taps the link; before that the page has made no
 * request to those sites. Without this script the link opens the post on its own site. */
(function () {
  "use strict";
  if (window.etalaseEmbeds) return; // a page with two bodies loads this twice
  window.etalaseEmbeds = true;
  document.addEventListener("click", function (event) {
    var link = event.target.closest ? event.target.closest("figure.embed a.embed-load") : null;
    if (!link) return;
    var figure = link.parentNode;
    var player = figure.getAttribute("data-embed");
    if (!/^https:\/\/www\.(youtube-nocookie\.com|facebook\.com|instagram\.com|tiktok\.com)\//.test(player)) return;
    event.preventDefault();
    var frame = document.createElement("iframe");
    frame.src = player;
    frame.title = link.textContent.trim();
    frame.setAttribute("allow", "autoplay; encrypted-media; picture-in-picture; fullscreen");
    frame.setAttribute("allowfullscreen", "");
    frame.setAttribute("loading", "lazy");
    frame.setAttribute("referrerpolicy", "strict-origin-when-cross-origin");
    figure.replaceChild(frame, link);
    figure.classList.add("loaded");
  });
})();
