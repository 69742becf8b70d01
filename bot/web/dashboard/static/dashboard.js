// The dashboard's few live parts, in plain JavaScript served by the bot (no CDN):
// signing a Telegram Mini App in, following a letter's counts, printing an invite.
(function () {
  "use strict";

  // Telegram's own script (telegram-web-app.js) sets window.Telegram.WebApp; without it
  // the init data is in the address's fragment, as tgWebAppData.
  function initData() {
    var app = window.Telegram && window.Telegram.WebApp;
    if (app && app.initData) { return app.initData; }
    var fragment = new URLSearchParams(window.location.hash.replace(/^#/, ""));
    return fragment.get("tgWebAppData") || "";
  }

  function signIn(box) {
    var data = initData();
    if (!data) { box.classList.add("failed"); return; }
    fetch(box.dataset.auth, {
      method: "POST",
      credentials: "same-origin",
      headers: { "Content-Type": "application/json" },
      body: JSON.stringify({ init_data: data })
    }).then(function (answer) {
      if (!answer.ok) { throw new Error(String(answer.status)); }
      return answer.json();
    }).then(function (body) {
      window.location.replace(body.home);
    }).catch(function () { box.classList.add("failed"); });
  }

  function follow(box) {
    var every = Math.max(0.1, Number(box.dataset.every || 3)) * 1000;
    function show(counts) {
      box.querySelectorAll("[data-count]").forEach(function (cell) {
        var value = counts[cell.dataset.count];
        if (value !== undefined) { cell.textContent = String(value); }
      });
      box.querySelectorAll("[data-bar]").forEach(function (bar) {
        bar.max = Math.max(1, counts.total);
        bar.value = counts[bar.dataset.bar];
      });
    }
    function poll() {
      fetch(box.dataset.live, { credentials: "same-origin", cache: "no-store" })
        .then(function (answer) { return answer.ok ? answer.json() : null; })
        .then(function (counts) { if (counts) { show(counts); } })
        .catch(function () { /* the next poll tries again */ })
        .then(function () { window.setTimeout(poll, every); });
    }
    window.setTimeout(poll, every);
  }

  document.addEventListener("DOMContentLoaded", function () {
    var box = document.getElementById("sign-in");
    if (box) { signIn(box); }
    var live = document.getElementById("live");
    if (live) { follow(live); }
    document.querySelectorAll("[data-print]").forEach(function (button) {
      button.addEventListener("click", function () { window.print(); });
    });
  });
}());
