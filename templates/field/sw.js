// The field app's service worker, release {{ release }}. It keeps the app's own files in a
// cache named after the release and each scheme version in a cache of its own, and answers
// from them when there is no signal. Only GET requests for those files are answered here;
// everything else (the API, the pack) goes to the network as if there were no worker.
"use strict";

var RELEASE = "{{ release }}";
var SHELL = "hoctap-field-" + RELEASE;
var SCHEME_PREFIX = "hoctap-scheme-";
var APP = "{{ app }}";
var FILES = {{ files_json|safe }};
var SCHEME = /^\/field\/schemes\/([\w-]+)\/(\d+)\.json$/;

importScripts("{{ store }}");

self.addEventListener("install", function (event) {
  event.waitUntil(caches.open(SHELL).then(function (cache) { return cache.addAll(FILES); }));
  // No skipWaiting here: a new release waits until no page runs the old one, so a form that
  // is open never loses the files it was opened with. The page asks for it (see "activate")
  // when no form is open.
});

self.addEventListener("message", function (event) {
  if (event.data === "activate-now") self.skipWaiting();
});

self.addEventListener("activate", function (event) {
  // Drop the caches of older releases; scheme caches stay until the page finds no record
  // that still uses them.
  event.waitUntil(caches.keys().then(function (names) {
    return Promise.all(names.filter(function (name) {
      return name.indexOf("hoctap-field-") === 0 && name !== SHELL;
    }).map(function (name) { return caches.delete(name); }));
  }).then(function () { return self.clients.claim(); }));
});

function fromShell(request, key) {
  return caches.open(SHELL).then(function (cache) {
    return cache.match(key || request).then(function (hit) { return hit || fetch(request); });
  });
}

function fromSchemeCache(request, code, version) {
  return caches.open(SCHEME_PREFIX + code + "-" + version).then(function (cache) {
    // A scheme version never changes, whoever asks: the page may have cached it before this
    // worker controlled it, with other request headers than the ones the server varies on.
    return cache.match(request, { ignoreVary: true }).then(function (hit) {
      if (hit) return hit;
      return fetch(request).then(function (response) {
        if (response.ok) cache.put(request, response.clone());
        return response;
      });
    });
  });
}

self.addEventListener("fetch", function (event) {
  var request = event.request;
  if (request.method !== "GET") return;
  var url = new URL(request.url);
  if (url.origin !== self.location.origin) return;
  if (url.pathname === APP) {
    event.respondWith(fromShell(request, APP));
    return;
  }
  var scheme = SCHEME.exec(url.pathname);
  if (scheme) {
    event.respondWith(fromSchemeCache(request, scheme[1], scheme[2]));
    return;
  }
  if (FILES.indexOf(url.pathname) >= 0) event.respondWith(fromShell(request));
});

// Background sync, where the browser has it (Chromium on Android): the outbox is sent when
// the signal comes back, even with the app closed. Elsewhere the page sends it when it is
// opened online, and the officer can tap "Send".
self.addEventListener("sync", function (event) {
  if (event.tag !== "hoctap-outbox") return;
  event.waitUntil(self.HoctapField.sync({}).then(function (result) {
    return self.clients.matchAll().then(function (clients) {
      clients.forEach(function (client) { client.postMessage({ synced: result }); });
      // Let the browser try again later when the connection or the server failed.
      if (result.stopped === "network" || result.stopped === "retry") {
        throw new Error("outbox not sent yet");
      }
    });
  }));
});
