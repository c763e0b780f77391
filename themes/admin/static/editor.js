/* Etalase's rich-text editor: Squire (vendor/squire.js) under a toolbar sized for a thumb.
 *
 * Progressive: every <textarea data-editor="rich"> works without this file (plain text or HTML,
 * cleaned by the server with nh3). With it, the textarea is hidden and kept in sync with an
 * editable area, so the form posts exactly as before. Words come from the page
 * (<script type="application/json" id="editor-text">), translated by the server.
 *
 * Autosave: a form with data-autosave="<url>" posts itself there every 20 seconds while it has
 * changes (the server keeps one "autosave" revision per person, without touching the post), and
 * every change is also kept in this phone's localStorage, so a lost signal or a closed tab loses
 * nothing: the next visit offers to bring the text back.
 */
(function () {
  "use strict";
  if (window.etalaseEditor || !window.Squire) return;
  window.etalaseEditor = true;

  var textEl = document.getElementById("editor-text");
  var T = textEl ? JSON.parse(textEl.textContent) : {};
  function t(key) { return T[key] || key; }

  function el(tag, attrs, children) {
    var node = document.createElement(tag);
    Object.keys(attrs || {}).forEach(function (k) {
      if (k === "text") node.textContent = attrs[k];
      else node.setAttribute(k, attrs[k]);
    });
    (children || []).forEach(function (c) { node.appendChild(c); });
    return node;
  }

  function csrfToken(form) {
    var input = form.querySelector('input[name="csrf_token"]');
    return input ? input.value : "";
  }

  // --- blocks (headings, paragraphs) -------------------------------------------------------------
  function setBlock(editor, tag) {
    var target = editor.hasFormat(tag) ? "P" : tag; // tapping "Judul" again makes it a paragraph
    editor.modifyBlocks(function (frag) {
      var out = document.createDocumentFragment();
      Array.prototype.slice.call(frag.childNodes).forEach(function (block) {
        if (block.nodeType !== 1 || /^(UL|OL|BLOCKQUOTE|TABLE|FIGURE)$/.test(block.nodeName)) {
          out.appendChild(block);
          return;
        }
        var replacement = document.createElement(target);
        while (block.firstChild) replacement.appendChild(block.firstChild);
        out.appendChild(replacement);
      });
      return out;
    });
  }

  function tableHTML() {
    var head = "<tr><th>" + t("column") + " 1</th><th>" + t("column") + " 2</th><th>" + t("column") + " 3</th></tr>";
    var row = "<tr><td><br></td><td><br></td><td><br></td></tr>";
    return "<table><thead>" + head + "</thead><tbody>" + row + row + "</tbody></table><p><br></p>";
  }

  function closest(node, tag) {
    while (node && node.nodeName !== tag) node = node.parentNode;
    return node;
  }

  // --- one editor ---------------------------------------------------------------------------------
  function enhance(textarea) {
    var form = textarea.form;
    var wrap = el("div", { "class": "rte" });
    var bar = el("div", { "class": "rte-bar", role: "toolbar", "aria-label": t("toolbar") });
    var area = el("div", {
      "class": "rte-area body",
      role: "textbox",
      "aria-multiline": "true",
      "aria-labelledby": textarea.id + "-label",
    });
    var panel = el("div", { "class": "rte-panel", hidden: "" });
    var label = document.querySelector('label[for="' + textarea.id + '"]');
    if (label) label.id = textarea.id + "-label";
    // The hint for writing without the editor gives way to the one for writing with it.
    var hint = document.getElementById(textarea.id + "-hint");
    if (hint && hint.hasAttribute("data-editor-hint")) hint.textContent = hint.getAttribute("data-editor-hint");
    wrap.appendChild(bar);
    wrap.appendChild(panel);
    wrap.appendChild(area);
    textarea.parentNode.insertBefore(wrap, textarea);
    textarea.hidden = true;

    var editor = new window.Squire(area, { blockTag: "P", addLinks: true });
    var ready = false; // loading the text is not a change the person made
    editor.setHTML(textarea.value || "");
    textarea.value = editor.getHTML();
    setTimeout(function () { ready = true; }, 0);
    // Clicking a label focuses the area, as it focused the textarea.
    if (label) label.addEventListener("click", function () { editor.focus(); });

    function sync() {
      textarea.value = editor.getHTML();
      if (ready) textarea.dispatchEvent(new Event("input", { bubbles: true }));
    }
    editor.addEventListener("input", sync);
    form.addEventListener("submit", sync);

    function closePanel() {
      panel.hidden = true;
      panel.textContent = "";
    }

    function linkPanel() {
      var input = el("input", { type: "url", inputmode: "url", placeholder: "https://", "aria-label": t("link_url") });
      var current = closest(editor.getSelection().startContainer, "A");
      if (current) input.value = current.getAttribute("href") || "";
      var apply = el("button", { type: "button", "class": "btn primary", text: t("link_apply") });
      var remove = el("button", { type: "button", "class": "btn", text: t("link_remove") });
      var cancel = el("button", { type: "button", "class": "btn", text: t("cancel") });
      apply.addEventListener("click", function () {
        var url = input.value.trim();
        if (url && !/^(https?:|mailto:|tel:|\/)/i.test(url)) url = "https://" + url;
        if (url) editor.makeLink(url);
        closePanel();
        sync();
      });
      remove.addEventListener("click", function () { editor.removeLink(); closePanel(); sync(); });
      cancel.addEventListener("click", closePanel);
      panel.textContent = "";
      panel.appendChild(el("label", { "class": "small", text: t("link_url") }, [input]));
      panel.appendChild(el("p", { "class": "rte-actions" }, [apply, remove, cancel]));
      panel.hidden = false;
      input.focus();
    }

    function imagePanel() {
      var grid = el("ul", { "class": "rte-media" });
      var more = el("button", { type: "button", "class": "btn", text: t("more"), hidden: "" });
      var cancel = el("button", { type: "button", "class": "btn", text: t("cancel") });
      var status = el("p", { "class": "small muted", role: "status", text: t("loading") });
      var before = null;
      var range = editor.getSelection();
      cancel.addEventListener("click", closePanel);
      function load() {
        var url = "/api/v1/media" + (before ? "?sebelum=" + before : "");
        fetch(url, { credentials: "same-origin", headers: { Accept: "application/json" } })
          .then(function (r) { if (!r.ok) throw new Error(r.status); return r.json(); })
          .then(function (data) {
            var photos = data.media.filter(function (m) { return m.kind === "image"; });
            status.textContent = photos.length || before ? "" : t("no_photos");
            photos.forEach(function (m) {
              var pick = el("button", { type: "button", "class": "rte-pick" }, [
                el("img", { src: (m.variants[0] || m).url, alt: "", width: "120", height: "90", loading: "lazy" }),
                el("span", { text: m.alt || m.name }),
              ]);
              pick.addEventListener("click", function () {
                editor.setSelection(range);
                editor.insertImage(m.url, {
                  alt: m.alt || "",
                  srcset: m.srcset || "",
                  sizes: "(min-width: 48rem) 46rem, 100vw",
                  width: m.width || "",
                  height: m.height || "",
                  loading: "lazy",
                });
                closePanel();
                sync();
              });
              grid.appendChild(el("li", {}, [pick]));
            });
            before = data.media.length ? data.media[data.media.length - 1].id : null;
            more.hidden = data.media.length < 24;
          })
          .catch(function () { status.textContent = t("load_failed"); });
      }
      more.addEventListener("click", load);
      panel.textContent = "";
      panel.appendChild(el("p", { "class": "small" }, [
        document.createTextNode(t("pick_photo") + " "),
        el("a", { href: "/admin/media", target: "_blank", text: t("upload_new") }),
      ]));
      panel.appendChild(status);
      panel.appendChild(grid);
      panel.appendChild(el("p", { "class": "rte-actions" }, [more, cancel]));
      panel.hidden = false;
      load();
    }

    function addRow() {
      var row = closest(editor.getSelection().startContainer, "TR");
      if (!row) { editor.insertHTML(tableHTML()); sync(); return; }
      var copy = row.cloneNode(false);
      Array.prototype.forEach.call(row.children, function () {
        copy.appendChild(el("td", {}, [el("br")]));
      });
      var body = row.parentNode.nodeName === "THEAD" ? closest(row, "TABLE").querySelector("tbody") : null;
      if (body) body.insertBefore(copy, body.firstChild);
      else row.parentNode.insertBefore(copy, row.nextSibling);
      sync();
    }

    // The visible words are short (a phone has room for few), the spoken label says it in full.
    // No emoji: a cheap phone or a Linux desktop may have no font for them.
    var buttons = [
      ["heading", t("heading_short"), function () { setBlock(editor, "H2"); }, "H2"],
      ["subheading", t("subheading_short"), function () { setBlock(editor, "H3"); }, "H3"],
      ["bold", "B", function () { editor.hasFormat("B") ? editor.removeBold() : editor.bold(); }, "B"],
      ["italic", "I", function () { editor.hasFormat("I") ? editor.removeItalic() : editor.italic(); }, "I"],
      ["bullets", "• " + t("list_short"), function () { editor.hasFormat("UL") ? editor.removeList() : editor.makeUnorderedList(); }, "UL"],
      ["numbers", "1. " + t("list_short"), function () { editor.hasFormat("OL") ? editor.removeList() : editor.makeOrderedList(); }, "OL"],
      ["quote", "“ ”", function () { editor.hasFormat("BLOCKQUOTE") ? editor.decreaseQuoteLevel() : editor.increaseQuoteLevel(); }, "BLOCKQUOTE"],
      ["link", t("link_short"), linkPanel, "A"],
      ["image", t("image_short"), imagePanel, null],
      ["table", t("table_short"), function () { editor.insertHTML(tableHTML()); }, null],
      ["row", "+ " + t("row_short"), addRow, null],
      ["undo", "↶", function () { editor.undo(); }, null],
      ["redo", "↷", function () { editor.redo(); }, null],
    ];
    var stateful = [];
    buttons.forEach(function (spec) {
      var button = el("button", { type: "button", "class": "rte-btn rte-" + spec[0], title: t(spec[0]), "aria-label": t(spec[0]) });
      button.appendChild(el("span", { "aria-hidden": "true", text: spec[1] }));
      // mousedown would move the focus out of the text and lose the selection on a phone
      button.addEventListener("mousedown", function (e) { e.preventDefault(); });
      button.addEventListener("click", function () {
        spec[2]();
        if (spec[0] !== "link" && spec[0] !== "image") { editor.focus(); sync(); }
      });
      if (spec[3]) { button.setAttribute("aria-pressed", "false"); stateful.push([button, spec[3]]); }
      bar.appendChild(button);
    });
    editor.addEventListener("pathChange", function () {
      stateful.forEach(function (pair) {
        pair[0].setAttribute("aria-pressed", editor.hasFormat(pair[1]) ? "true" : "false");
      });
    });
    return editor;
  }

  // --- autosave -----------------------------------------------------------------------------------
  function formText(form) {
    var values = {};
    Array.prototype.forEach.call(form.elements, function (f) {
      if ((f.name === "title" || f.name === "summary" || f.name === "body") && "value" in f) values[f.name] = f.value;
    });
    return values;
  }

  // What autosave sends: the text only (a chosen photo goes with the real save, once).
  function withoutFiles(form) {
    var data = new FormData(form);
    Array.prototype.forEach.call(form.querySelectorAll("input[type=file][name]"), function (f) {
      data.delete(f.name);
    });
    return data;
  }

  function autosave(form) {
    var key = "etalase:naskah:" + location.host + location.pathname;
    var status = form.querySelector(".autosave-status");
    var serverTime = Number(form.getAttribute("data-updated") || 0);
    var url = form.getAttribute("data-autosave");
    var dirty = false;
    var saving = false;
    function say(text) { if (status) status.textContent = text; }
    function clock(d) {
      return ("0" + d.getHours()).slice(-2) + "." + ("0" + d.getMinutes()).slice(-2);
    }

    // A copy left on this phone that is newer than what the server has: offer it back.
    var kept = null;
    try { kept = JSON.parse(localStorage.getItem(key) || "null"); } catch (e) { kept = null; }
    var now = formText(form);
    if (kept && kept.t > serverTime && (kept.v.body !== now.body || kept.v.title !== now.title)) {
      var bar = el("div", { "class": "box warn autosave-offer", role: "status" });
      var restore = el("button", { type: "button", "class": "btn primary", text: t("restore") });
      var drop = el("button", { type: "button", "class": "btn", text: t("discard") });
      bar.appendChild(el("p", { text: t("unsaved_found").replace("{time}", clock(new Date(kept.t))) }));
      bar.appendChild(el("p", { "class": "rte-actions" }, [restore, drop]));
      form.parentNode.insertBefore(bar, form);
      restore.addEventListener("click", function () {
        Array.prototype.forEach.call(form.elements, function (f) {
          if (kept.v[f.name] !== undefined) f.value = kept.v[f.name];
        });
        if (form._editor) form._editor.setHTML(kept.v.body || "");
        bar.remove();
        dirty = true;
      });
      drop.addEventListener("click", function () { localStorage.removeItem(key); bar.remove(); });
    } else if (kept) {
      localStorage.removeItem(key);
    }

    form.addEventListener("input", function () {
      dirty = true;
      try { localStorage.setItem(key, JSON.stringify({ t: Date.now(), v: formText(form) })); } catch (e) { /* full */ }
      say(t("unsaved"));
    });
    // The form is being sent: what the server gets is no longer "unsaved on this phone".
    form.addEventListener("submit", function () { localStorage.removeItem(key); });

    if (!url) return;
    setInterval(function () {
      if (!dirty || saving || !navigator.onLine) return;
      saving = true;
      dirty = false;
      say(t("saving"));
      fetch(url, {
        method: "POST",
        credentials: "same-origin",
        headers: { "X-CSRF-Token": csrfToken(form), Accept: "application/json" },
        body: withoutFiles(form),
      })
        .then(function (r) { if (!r.ok) throw new Error(r.status); return r.json(); })
        .then(function () { say(t("autosaved").replace("{time}", clock(new Date()))); })
        .catch(function () { dirty = true; say(t("autosave_failed")); })
        .then(function () { saving = false; });
    }, 20000);
  }

  document.querySelectorAll('textarea[data-editor="rich"]').forEach(function (textarea) {
    var editor = enhance(textarea);
    textarea.form._editor = editor;
  });
  document.querySelectorAll("form[data-autosave]").forEach(autosave);

  // The cover picker shows the newest photos; "Foto lainnya" adds older ones from the library,
  // as radio buttons like the rest (without JavaScript the newest and the chosen one are there).
  document.querySelectorAll("ul.cover-choices[data-more-before]").forEach(function (list) {
    var before = list.getAttribute("data-more-before");
    var name = list.querySelector("input[type=radio]").name;
    var more = el("button", { type: "button", "class": "btn small", text: list.getAttribute("data-more-label") });
    var status = el("span", { "class": "small muted", role: "status" });
    list.parentNode.insertBefore(el("p", {}, [more, document.createTextNode(" "), status]), list.nextSibling);
    more.addEventListener("click", function () {
      more.disabled = true;
      status.textContent = t("loading");
      fetch("/api/v1/media?sebelum=" + encodeURIComponent(before), {
        credentials: "same-origin", headers: { Accept: "application/json" },
      })
        .then(function (r) { if (!r.ok) throw new Error(r.status); return r.json(); })
        .then(function (data) {
          data.media.forEach(function (m) {
            if (m.kind !== "image" || list.querySelector('input[value="' + m.id + '"]')) return;
            list.appendChild(el("li", {}, [el("label", { "class": "cover-choice" }, [
              el("input", { type: "radio", name: name, value: String(m.id) }),
              el("img", { src: (m.variants[0] || m).url, alt: "", width: "160", height: "120", loading: "lazy" }),
              el("span", { text: m.alt || m.name }),
            ])]));
          });
          status.textContent = "";
          if (data.media.length) before = String(data.media[data.media.length - 1].id);
          more.hidden = data.media.length < 24;
        })
        .catch(function () { status.textContent = t("load_failed"); })
        .then(function () { more.disabled = false; });
    });
  });

  // A photo over the upload limit is refused as soon as it is chosen: sent, it would cut the form
  // off before the server reads its text.
  document.querySelectorAll("input[type=file][data-max-bytes]").forEach(function (input) {
    input.addEventListener("change", function () {
      var max = Number(input.getAttribute("data-max-bytes"));
      var big = Array.prototype.some.call(input.files || [], function (f) { return f.size > max; });
      input.setCustomValidity(big ? input.getAttribute("data-too-big") || "" : "");
      if (big) {
        input.reportValidity();
        input.value = "";
        input.setCustomValidity("");
      }
    });
  });
})();
