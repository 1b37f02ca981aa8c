// Leaflet maps for places (enhancement: every place is also in the server-rendered list).
// Leaflet (django-leaflet's static files) and Leaflet.markercluster (vendored in static/vendor/)
// weigh ~55 KB compressed, as much as the rest of a page: they are fetched only when the map's
// section comes near the screen (data-leaflet-js, data-leaflet-css, data-cluster-js and
// data-cluster-css on the map element carry their hashed URLs), so the list is usable first on a
// slow connection and a page that never shows its map never pays for it.
// A [data-places-map] element carries either data-geojson-url (many places) or
// data-lat/data-lon/data-name (one place), plus data-tile-url and data-attribution.

const BFC_CENTER = [47.2, 5.3];

function escapeHtml(text) {
  const div = document.createElement("div");
  div.textContent = text;
  return div.innerHTML;
}

function baseMap(el) {
  const L = window.L;
  el.hidden = false;
  el.setAttribute("role", "region");
  el.setAttribute("aria-label", el.dataset.name ? `Carte : ${el.dataset.name}` : "Carte des lieux");
  L.Icon.Default.imagePath = el.dataset.iconPath || "/static/leaflet/images/";
  const map = L.map(el, { scrollWheelZoom: false }).setView(BFC_CENTER, 7);
  if (el.dataset.tileUrl) {
    L.tileLayer(el.dataset.tileUrl, { maxZoom: 19, attribution: el.dataset.attribution || "" }).addTo(map);
  }
  return map;
}

async function placesMap(el) {
  const L = window.L;
  const map = baseMap(el);
  let data;
  try {
    const response = await fetch(el.dataset.geojsonUrl, { headers: { Accept: "application/geo+json" } });
    if (!response.ok) throw new Error(String(response.status));
    data = await response.json();
  } catch (error) {
    el.hidden = true;
    return;
  }
  const points = L.geoJSON(data, {
    pointToLayer: (feature, latlng) =>
      L.marker(latlng, {
        alt: feature.properties.nom + (feature.properties.a_confirmer ? " (informations à confirmer)" : ""),
        title: feature.properties.nom,
        keyboard: true,
        opacity: feature.properties.a_confirmer ? 0.55 : 1,
      }),
    onEachFeature: (feature, marker) => {
      const p = feature.properties;
      marker.bindPopup(
        `<div class="places-popup"><a href="${encodeURI(p.url)}">${escapeHtml(p.nom)}</a><br>${escapeHtml(p.commune)}` +
          (p.labellise ? "<br>Lieu labellisé" : "") +
          (p.a_confirmer ? "<br><em>Informations à confirmer</em>" : "") +
          "</div>",
      );
    },
  });
  let layer = points;
  if (L.markerClusterGroup) {
    layer = L.markerClusterGroup({ showCoverageOnHover: false, maxClusterRadius: 50, spiderfyOnMaxZoom: true });
    layer.addLayers(points.getLayers());
    // A cluster says how many places it holds, for screen readers and keyboard users too.
    layer.on("animationend", () => labelClusters(el));
    map.on("zoomend moveend", () => labelClusters(el));
  }
  layer.addTo(map);
  labelClusters(el);
  if (points.getLayers().length) map.fitBounds(points.getBounds(), { padding: [20, 20], maxZoom: 14 });
}

function labelClusters(el) {
  for (const icon of el.querySelectorAll(".marker-cluster:not([aria-label])")) {
    const count = icon.textContent.trim();
    icon.setAttribute("role", "button");
    icon.setAttribute("aria-label", `${count} lieux : zoomer sur ce groupe`);
  }
}

function placeMap(el) {
  const L = window.L;
  const map = baseMap(el);
  const position = [parseFloat(el.dataset.lat), parseFloat(el.dataset.lon)];
  map.setView(position, 15);
  L.marker(position, { alt: el.dataset.name, title: el.dataset.name }).addTo(map);
}

function load(tag, attrs) {
  const key = attrs.href || attrs.src;
  if (document.querySelector(`${tag}[${attrs.href ? "href" : "src"}="${key}"]`)) return Promise.resolve();
  return new Promise((resolve, reject) => {
    const node = Object.assign(document.createElement(tag), attrs);
    node.onload = resolve;
    node.onerror = reject;
    document.head.append(node);
  });
}

async function ensureLeaflet(el) {
  const d = el.dataset;
  const sheets = [d.leafletCss, ...(d.clusterCss || "").split(" ")].filter(Boolean);
  await Promise.all(sheets.map((href) => load("link", { rel: "stylesheet", href })));
  if (!window.L && d.leafletJs) await load("script", { src: d.leafletJs });
  if (d.clusterJs && window.L && !window.L.markerClusterGroup) await load("script", { src: d.clusterJs });
}

function start(el) {
  if (!window.L) return;
  if (el.dataset.geojsonUrl) placesMap(el);
  else if (el.dataset.lat) placeMap(el);
}

for (const el of document.querySelectorAll("[data-places-map]")) {
  const show = () => ensureLeaflet(el).then(() => start(el), () => {});
  // the map element is hidden until drawn: watch its section, which is on the page
  const section = el.parentElement;
  if ("IntersectionObserver" in window && section) {
    const observer = new IntersectionObserver(
      (entries) => {
        if (entries.some((entry) => entry.isIntersecting)) {
          observer.disconnect();
          show();
        }
      },
      { rootMargin: "400px" },
    );
    observer.observe(section);
  } else {
    show();
  }
}
