// "Appareils" on the notification preferences page: turn Web Push on or off for this browser.
// The subscription goes to the server as JSON with the page's CSRF token; the server checks it.
const box = document.querySelector("[data-push]");
const csrf = document.querySelector("input[name=csrfmiddlewaretoken]");

function keyBytes(base64url) {
  const padded = (base64url + "===".slice((base64url.length + 3) % 4)).replace(/-/g, "+").replace(/_/g, "/");
  return Uint8Array.from(atob(padded), (c) => c.charCodeAt(0));
}

async function post(url, body) {
  const response = await fetch(url, {
    method: "POST",
    credentials: "same-origin",
    headers: { "Content-Type": "application/json", "X-CSRFToken": csrf ? csrf.value : "" },
    body: JSON.stringify(body),
  });
  let data = {};
  try { data = await response.json(); } catch (error) { data = {}; }
  return { ok: response.ok, data };
}

if (box) {
  const on = box.querySelector("[data-push-on]");
  const off = box.querySelector("[data-push-off]");
  const status = box.querySelector("[data-push-status]");
  const say = (text) => { status.textContent = text; };
  const show = (subscribed) => { on.hidden = subscribed; off.hidden = !subscribed; };
  box.hidden = false;
  const supported = "serviceWorker" in navigator && "PushManager" in window && "Notification" in window && window.isSecureContext;
  if (!supported) {
    on.disabled = true;
    say(box.dataset.msgUnsupported);
  } else {
    navigator.serviceWorker.ready.then(async (registration) => {
      show(Boolean(await registration.pushManager.getSubscription()));
    });
    on.addEventListener("click", async () => {
      on.disabled = true;
      try {
        if ((await Notification.requestPermission()) !== "granted") { say(box.dataset.msgDenied); return; }
        const registration = await navigator.serviceWorker.ready;
        const subscription = await registration.pushManager.subscribe({ userVisibleOnly: true, applicationServerKey: keyBytes(box.dataset.publicKey) });
        const result = await post(box.dataset.subscribeUrl, subscription.toJSON());
        if (!result.ok) { await subscription.unsubscribe(); say(result.data.error || box.dataset.msgFailed); return; }
        show(true);
        say(box.dataset.msgOn);
      } catch (error) {
        say(box.dataset.msgFailed);
      } finally {
        on.disabled = false;
      }
    });
    off.addEventListener("click", async () => {
      const registration = await navigator.serviceWorker.ready;
      const subscription = await registration.pushManager.getSubscription();
      if (subscription) {
        await post(box.dataset.unsubscribeUrl, { endpoint: subscription.endpoint });
        await subscription.unsubscribe();
      }
      show(false);
      say(box.dataset.msgOff);
    });
  }
}
