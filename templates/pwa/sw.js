// Maillage service worker: keeps the offline page and the core static files, shows the offline
// page when a page cannot be loaded, and shows Web Push notifications. Pages themselves are never
// cached (they are personal); static files are served from the cache first (their names change
// with each deployment).
const CONFIG = {{ config|safe }};
const CACHE = "maillage-" + CONFIG.version;
const STATIC_PREFIX = new URL(CONFIG.assets[0], self.location).pathname.split("/").slice(0, 2).join("/") + "/";

self.addEventListener("install", (event) => {
  event.waitUntil((async () => {
    const cache = await caches.open(CACHE);
    await cache.addAll(CONFIG.assets);
    // without cookies: the offline page must not keep a member's name or tokens
    const offline = await fetch(CONFIG.offline, { credentials: "omit" });
    if (offline.ok) await cache.put(CONFIG.offline, offline);
    await self.skipWaiting();
  })());
});

self.addEventListener("activate", (event) => {
  event.waitUntil((async () => {
    for (const key of await caches.keys()) {
      if (key.startsWith("maillage-") && key !== CACHE) await caches.delete(key);
    }
    await self.clients.claim();
  })());
});

self.addEventListener("fetch", (event) => {
  const request = event.request;
  if (request.method !== "GET") return;
  const url = new URL(request.url);
  if (url.origin !== self.location.origin) return;
  if (request.mode === "navigate") {
    event.respondWith(fetch(request).catch(async () => (await caches.match(CONFIG.offline)) || Response.error()));
    return;
  }
  if (url.pathname.startsWith(STATIC_PREFIX)) {
    event.respondWith((async () => {
      const cache = await caches.open(CACHE);
      const hit = await cache.match(request);
      if (hit) return hit;
      const response = await fetch(request);
      if (response.ok && response.type === "basic") cache.put(request, response.clone());
      return response;
    })());
  }
});

self.addEventListener("push", (event) => {
  let data = {};
  try { data = event.data ? event.data.json() : {}; } catch (error) { data = { title: event.data && event.data.text() }; }
  const title = data.title || "Maillage";
  event.waitUntil(self.registration.showNotification(title, {
    body: data.body || "",
    icon: CONFIG.icon,
    badge: CONFIG.badge,
    tag: data.tag || undefined,
    lang: "fr",
    data: { url: data.url || "/" },
  }));
});

self.addEventListener("notificationclick", (event) => {
  event.notification.close();
  const target = new URL((event.notification.data && event.notification.data.url) || "/", self.location.origin);
  if (target.origin !== self.location.origin) return;  // only ever open our own pages
  event.waitUntil((async () => {
    const windows = await self.clients.matchAll({ type: "window", includeUncontrolled: true });
    for (const client of windows) {
      if (new URL(client.url).pathname === target.pathname && "focus" in client) return client.focus();
    }
    return self.clients.openWindow(target.href);
  })());
});
