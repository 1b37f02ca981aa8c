"""The header counters (notifications, conversations) share one module, static/js/live-count.js:
run under Node with a stub websocket and a minimal DOM, each page module keeps its own words."""

import json
import shutil
import subprocess
from pathlib import Path

import pytest

JS = Path(__file__).resolve().parents[2] / "static" / "js"
NODE = shutil.which("node")

STUB_WS = "export function connect(path, handlers) { globalThis.sockets.push({ path, ...handlers }); }\n"
RUN = """
const el = (attrs) => ({ dataset: { ...attrs }, textContent: "", hidden: false, querySelector(s) { return this.parts[s]; } });
const links = {};
for (const sel of ["[data-notification-counter]", "[data-message-counter]"]) {
  const link = el({ wsUrl: "/ws" + sel.length });
  link.parts = { "[data-count]": el({}), "[data-count-label]": el({}) };
  links[sel] = link;
}
globalThis.document = { querySelector: (s) => links[s] || null };
globalThis.sockets = [];
await import("./notifications.js");
await import("./messages-badge.js");
const sent = [];
const out = {};
for (const [i, socket] of globalThis.sockets.entries()) {
  socket.onOpen({ send: (m) => sent.push(JSON.parse(m)) });
  const sel = i === 0 ? "[data-notification-counter]" : "[data-message-counter]";
  const link = links[sel];
  const seen = [];
  for (const count of [1, 3, 0]) {
    socket.onMessage({ type: "count", count });
    seen.push([link.parts["[data-count]"].textContent, link.parts["[data-count]"].hidden,
               link.parts["[data-count-label]"].textContent, link.dataset.count]);
  }
  socket.onMessage({ type: "other", count: 9 });
  seen.push(link.dataset.count);
  out[sel] = { path: socket.path, seen };
}
out.sent = sent;
console.log(JSON.stringify(out));
"""


@pytest.mark.skipif(NODE is None, reason="node is not installed")
def test_both_counters_sync_on_open_and_follow_the_count(tmp_path):
    for name in ("live-count.js", "notifications.js", "messages-badge.js"):
        shutil.copy(JS / name, tmp_path / name)
    (tmp_path / "ws.js").write_text(STUB_WS)
    (tmp_path / "run.mjs").write_text(RUN)
    result = subprocess.run([NODE, "run.mjs"], cwd=tmp_path, capture_output=True, text=True, timeout=30, check=True)
    out = json.loads(result.stdout)
    assert out["sent"] == [{"type": "sync"}, {"type": "sync"}]
    notifications, conversations = out["[data-notification-counter]"], out["[data-message-counter]"]
    assert notifications["seen"] == [["1", False, "1 non lue", "1"], ["3", False, "3 non lues", "3"], ["0", True, "", "0"], "0"]
    assert conversations["seen"][:2] == [
        ["1", False, "1 conversation non lue", "1"],
        ["3", False, "3 conversations non lues", "3"],
    ]
    assert conversations["seen"][2:] == [["0", True, "", "0"], "0"]
