// Service worker of the handbook: every handbook page, image and the stylesheet a reader has
// opened is kept, so it can be read again without a connection. Network first (a reader online
// always gets the newest text); the kept copy only when the network fails. A page marked
// `no-store` (every page of someone logged in: it carries their name) is never kept.
"use strict";
const CACHE = "hocvuso-so-tay-2";

self.addEventListener("install", (event) => {
  event.waitUntil(
    caches.open(CACHE).then((c) => c.addAll(["/so-tay", "/static/style.css"])).then(() => self.skipWaiting()),
  );
});

self.addEventListener("activate", (event) => {
  event.waitUntil(
    caches
      .keys()
      .then((keys) => Promise.all(keys.filter((k) => k !== CACHE).map((k) => caches.delete(k))))
      .then(() => self.clients.claim()),
  );
});

function kept(path) {
  if (path.endsWith(".pdf")) return false;
  return path === "/so-tay" || path.startsWith("/so-tay/") || path.startsWith("/anh/") || path.startsWith("/static/");
}

self.addEventListener("fetch", (event) => {
  const request = event.request;
  const url = new URL(request.url);
  if (request.method !== "GET" || url.origin !== self.location.origin || !kept(url.pathname)) return;
  event.respondWith(
    fetch(request)
      .then((response) => {
        const rule = response.headers.get("Cache-Control") || "";
        if (response.ok && !/no-store/i.test(rule)) {
          const copy = response.clone();
          event.waitUntil(caches.open(CACHE).then((c) => c.put(request, copy)));
        }
        return response;
      })
      .catch(() =>
        caches.match(request, { ignoreSearch: true }).then((hit) => hit || caches.match("/so-tay")),
      ),
  );
});
