// The service worker of each Serverlesspresso app: repeat visits load from the cache at
// once, and a new deployment takes over safely on the visit after it is fetched.
//
// - Only the app's own static files are cached: same-origin GET requests inside this
//   app's scope, without an Authorization header, answered 200 with a static file's type
//   (a page, script, wasm, style, image, font, manifest, the settings file) and not
//   marked no-store or private. The APIs, Cognito, IoT and the journey pages are other
//   origins on AWS (and other paths on the local emulator), and anything else is passed
//   through untouched, so no API answer, token or message is ever stored.
// - The page (index.html) is served from the cache and refreshed in the background
//   (stale-while-revalidate); the files it names carry a content hash, so they never
//   change and are served from the cache first. An old page keeps its own files until a
//   newer page has replaced it, then they are pruned.
// - settings.json is the deployment's configuration: the network first, the cache only
//   when offline. The languages' catalogues are stale-while-revalidate, like the icons.

const CACHE = "serverlesspresso-" + new URL(self.registration.scope).pathname;
// Trunk's hashed files, and the folder of the split wasm build (`wasm-<hash>/`: the main
// module and the parts fetched when a screen is first shown; see xtask/src/split.rs).
const HASHED = /(-[0-9a-f]{8,16}(_bg)?\.(js|wasm|css)|\/wasm-[0-9a-f]{16}\/[^/]+)$/;
const SPLIT_FOLDER = /\/wasm-[0-9a-f]{16}\//;
// A language's words (`locales/es/order.json`), fetched after the first screen: from the
// cache at once on the next visit, refreshed in the background.
const LOCALES = /\/locales\/[A-Za-z-]+\/[a-z]+\.json$/;

self.addEventListener("install", (event) => {
  event.waitUntil(
    caches
      .open(CACHE)
      .then((cache) => cache.add(new Request(self.registration.scope, { cache: "no-cache" })))
      .then(() => self.skipWaiting())
  );
});

self.addEventListener("activate", (event) => {
  event.waitUntil(self.clients.claim());
});

function inScope(url) {
  return url.origin === self.location.origin && url.href.startsWith(self.registration.scope);
}

// The types of the files an app is made of. Anything else in scope (an answer someone
// put there, a host's error page) is never kept.
const STATIC_TYPES = new Set([
  "text/html", "text/css", "text/javascript", "application/javascript", "application/wasm",
  "image/svg+xml", "image/png", "image/webp", "image/x-icon", "font/woff2", "font/woff",
  "application/manifest+json", "application/json",
]);

/// Whether a response is one of the app's static files, fit to keep: same-origin, 200,
/// of a static file's type (`types`, a subset of STATIC_TYPES, when given), and not
/// marked no-store or private.
function keepable(response, types) {
  if (!response.ok || response.type !== "basic") return false;
  const type = (response.headers.get("content-type") || "").split(";")[0].trim().toLowerCase();
  if (!STATIC_TYPES.has(type) || (types && !types.includes(type))) return false;
  return !/\b(no-store|private)\b/i.test(response.headers.get("cache-control") || "");
}

/// The hashed files a page names.
function namedFiles(html) {
  const names = new Set();
  for (const match of html.matchAll(/(?:href|src)="([^"]+)"/g)) {
    names.add(new URL(match[1], self.registration.scope).href);
  }
  return names;
}

/// The folder a file is in, as a URL ending in "/".
function folderOf(url) {
  return url.slice(0, url.lastIndexOf("/") + 1);
}

/// Keeps the files of the page being served and of the newest page, with the whole split
/// folder each names (its parts are fetched later, by the app); drops the rest.
async function prune(cache, pages) {
  const keep = new Set();
  const folders = new Set();
  for (const html of pages) {
    for (const name of namedFiles(html)) {
      keep.add(name);
      if (SPLIT_FOLDER.test(new URL(name).pathname)) folders.add(folderOf(name));
    }
  }
  for (const request of await cache.keys()) {
    const kept = keep.has(request.url) || folders.has(folderOf(request.url));
    if (HASHED.test(new URL(request.url).pathname) && !kept) {
      await cache.delete(request);
    }
  }
}

async function page(event) {
  const request = event.request;
  const cache = await caches.open(CACHE);
  const key = self.registration.scope;
  const cached = await cache.match(key);
  // Past the HTTP cache, which may hold a page it thinks fresh for a while.
  const refresh = fetch(request.url, { cache: "no-cache", credentials: "same-origin" })
    .then(async (response) => {
      if (keepable(response, ["text/html"])) {
        const fresh = await response.clone().text();
        // The page being served is the browser's to read: take another copy of it.
        const previous = await cache.match(key);
        const served = previous ? await previous.text() : "";
        await cache.put(key, response.clone());
        await prune(cache, [served, fresh]);
      }
      return response;
    })
    .catch(() => cached);
  // The page is answered from the cache; the refresh must still run to its end.
  event.waitUntil(refresh);
  return cached || refresh;
}

async function immutable(request) {
  const cache = await caches.open(CACHE);
  const cached = await cache.match(request);
  if (cached) return cached;
  // Past the HTTP cache, which may hold what the host answered before (and would
  // revalidate it by date alone): a hashed file is fetched once, then kept here.
  const response = await fetch(request, { cache: "reload" });
  // A host's fallback page answering for a file it lacks (an SPA rewrite, or a deployment
  // still uploading) is not the file: kept, it would break this page for good.
  const code = ["text/javascript", "application/javascript", "application/wasm", "text/css"];
  if (keepable(response, code)) await cache.put(request, response.clone());
  return response;
}

async function revalidated(event) {
  const request = event.request;
  const cache = await caches.open(CACHE);
  const cached = await cache.match(request);
  const refresh = fetch(request)
    .then(async (response) => {
      if (keepable(response)) await cache.put(request, response.clone());
      return response;
    })
    .catch(() => cached);
  event.waitUntil(refresh);
  return cached || refresh;
}

async function networkFirst(request) {
  const cache = await caches.open(CACHE);
  try {
    const response = await fetch(request, { cache: "no-cache" });
    if (keepable(response, ["application/json"])) await cache.put(request, response.clone());
    return response;
  } catch (error) {
    const cached = await cache.match(request);
    if (cached) return cached;
    throw error;
  }
}

self.addEventListener("fetch", (event) => {
  const request = event.request;
  const url = new URL(request.url);
  // A request that carries credentials is never the app's static file.
  if (request.method !== "GET" || !inScope(url) || request.headers.has("authorization")) return;
  if (request.mode === "navigate") {
    event.respondWith(page(event));
  } else if (url.pathname.endsWith("/settings.json")) {
    event.respondWith(networkFirst(request));
  } else if (HASHED.test(url.pathname)) {
    event.respondWith(immutable(request));
  } else if (
    ["image", "font", "manifest", "style", "script"].includes(request.destination) ||
    LOCALES.test(url.pathname)
  ) {
    event.respondWith(revalidated(event));
  }
  // Anything else (a fetch of some other path in scope) goes to the network untouched.
});

// A tap on a notification (the order app's "Ready · #12") brings back the app's page, or
// opens it: only a page inside this app's own scope, whatever the notification says.
self.addEventListener("notificationclick", (event) => {
  event.notification.close();
  const asked = event.notification.data && event.notification.data.url;
  let target = self.registration.scope;
  try {
    const url = new URL(asked, self.registration.scope);
    if (inScope(url)) target = url.href;
  } catch (_) {
    // Not a URL: the app's start page.
  }
  event.waitUntil(
    self.clients.matchAll({ type: "window", includeUncontrolled: true }).then((windows) => {
      const open = windows.find((w) => inScope(new URL(w.url)));
      return open ? open.focus() : self.clients.openWindow(target);
    })
  );
});
