// The service worker (issue 13, part 3), served at /sw.js (web/app_shell.py) so that its
// scope is the whole app. It keeps the app shell (stylesheet, script, icons and the
// offline page) and nothing else:
// - a page is always fetched from the server; when that fails, the offline page stands in.
//   A page is never served from a cache: it would show someone's data as it was.
// - only GET requests for static files are answered from the cache, and only when the
//   network fails (so a new stylesheet is never hidden behind an old one).
// - a grade, and every other POST (anything but GET), goes straight to the network: never
//   stored, queued or replayed. Offline, it fails as it would without this worker.
"use strict";

var CACHE = "flashcards-shell-v1";
var OFFLINE = "offline";
var SHELL = [
  OFFLINE,
  "static/style.css",
  "static/app.js",
  "static/favicon.svg",
  "static/icons/icon.svg",
  "static/icons/icon-192.png",
];

function scoped(path) {
  return new URL(path, self.registration.scope).href;
}

self.addEventListener("install", function (event) {
  event.waitUntil(
    caches.open(CACHE)
      .then(function (cache) { return cache.addAll(SHELL.map(scoped)); })
      .then(function () { return self.skipWaiting(); })
  );
});

self.addEventListener("activate", function (event) {
  event.waitUntil(
    caches.keys()
      .then(function (names) {
        return Promise.all(names.filter(function (name) {
          return name.indexOf("flashcards-") === 0 && name !== CACHE;
        }).map(function (name) { return caches.delete(name); }));
      })
      .then(function () { return self.clients.claim(); })
  );
});

function offlinePage() {
  return caches.match(scoped(OFFLINE)).then(function (page) {
    return page || new Response(
      "You are offline: Flashcards cannot reach its server. Try again once you are back online.",
      { status: 503, headers: { "Content-Type": "text/plain; charset=utf-8" } });
  });
}

function staticFile(request) {
  return fetch(request).then(function (response) {
    if (response.ok && response.type === "basic") {
      var copy = response.clone();
      caches.open(CACHE).then(function (cache) { return cache.put(request, copy); });
    }
    return response;
  }, function (error) {
    return caches.match(request).then(function (cached) {
      if (cached) return cached;
      throw error;
    });
  });
}

self.addEventListener("fetch", function (event) {
  var request = event.request;
  // Not GET (a grade, an undo, any form): not ours to touch.
  if (request.method !== "GET") return;
  var url = new URL(request.url);
  if (url.origin !== self.location.origin) return;
  if (request.mode === "navigate") {
    event.respondWith(fetch(request).catch(offlinePage));
    return;
  }
  if (url.href.indexOf(scoped("static/")) === 0) {
    event.respondWith(staticFile(request));
  }
  // Anything else (a job's progress, a download): straight to the network.
});
