// A websocket that reconnects with back-off. Callers resynchronise in onOpen, so nothing is lost
// while a web process or Redis restarts.
export function connect(path, { onOpen, onMessage, onClose } = {}) {
  const scheme = window.location.protocol === "https:" ? "wss" : "ws";
  const url = `${scheme}://${window.location.host}${path}`;
  let delay = 500;
  let socket;
  const state = { get socket() { return socket; } };
  function open() {
    socket = new WebSocket(url);
    socket.addEventListener("open", () => { delay = 500; onOpen && onOpen(socket); });
    socket.addEventListener("message", (event) => {
      try { onMessage && onMessage(JSON.parse(event.data), socket); } catch (err) { console.error(err); }
    });
    socket.addEventListener("close", (event) => {
      onClose && onClose(event);
      if (event.code === 4401 || event.code === 4404) return; // refused: do not insist
      setTimeout(open, delay * (0.5 + Math.random())); // jitter: after a restart, clients do not all come back at once
      delay = Math.min(delay * 2, 15000);
    });
  }
  open();
  return state;
}
