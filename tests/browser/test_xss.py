"""Stored XSS in Chromium: the whole corpus sits in every user-text field at once (and one forum
post per payload, over the topic's pages); every page that shows them is opened and nothing may
run. Payloads call ``alert()`` or ``window.__xss()``: an init script records both (and confirm,
prompt, print), the page's ``dialog`` event is watched, and Content-Security-Policy violations on
``script-src`` are recorded too — one of those means injected script reached the DOM and only the
CSP stopped it, which is still a failure of the escaping. Links with a ``javascript:``/``data:``
target are reported as well (they run on a click, not on load).
"""

from django.conf import settings
from django.contrib.auth import BACKEND_SESSION_KEY, HASH_SESSION_KEY, SESSION_KEY
from django.contrib.sessions.backends.db import SessionStore

from tests.security.stored import PAGES, PAYLOADS, fill
from tests.security.world import build_world

HOOKS = """
(() => {
  window.__xssCalls = [];
  const record = (kind) => (...args) => { window.__xssCalls.push(kind + ":" + args.map(String).join(",")); };
  window.__xss = record("__xss");
  for (const name of ["alert", "confirm", "prompt", "print"]) {
    try { Object.defineProperty(window, name, { value: record(name), writable: false, configurable: false }); } catch (e) {}
  }
  document.addEventListener("securitypolicyviolation", (e) => {
    if (String(e.effectiveDirective || e.violatedDirective).startsWith("script-src")) {
      window.__xssCalls.push("csp:" + e.effectiveDirective + ":" + (e.sample || e.blockedURI));
    }
  });
})();
"""

BAD_LINKS = """
() => [...document.querySelectorAll("[href],[src],[action],[formaction],[data],[poster]")].flatMap((el) =>
  ["href", "src", "action", "formaction", "data", "poster"].map((a) => [el.tagName, a, (el.getAttribute(a) || "").replace(/[\\s\\u0000-\\u001f]/g, "")])
).filter(([tag, a, v]) => /^(javascript|vbscript|data):/i.test(v) && !(tag === "IMG" && a === "src" && /^data:image\\/(png|jpeg|gif|webp);/i.test(v)))
 .map(([tag, a, v]) => `${tag} ${a}=${v.slice(0, 80)}`)
"""


def _session_cookie(user, base_url):
    session = SessionStore()
    session[SESSION_KEY] = str(user.pk)
    session[BACKEND_SESSION_KEY] = "community.backends.ModelBackend"
    session[HASH_SESSION_KEY] = user.get_session_auth_hash()
    session.save()
    return {"name": settings.SESSION_COOKIE_NAME, "value": session.session_key, "url": base_url}


def _one_post_per_payload(world):
    """The open topic gets one post per payload (the forum paginates them, 50 a page)."""
    from django.db.models import F

    from groups.models import Post

    topic, author = world.open_topic, world.users["member"]
    Post.objects.bulk_create([Post(topic=topic, author=author, body=f"XSSPOST {i} {payload}") for i, payload in enumerate(PAYLOADS)])
    type(topic).objects.filter(pk=topic.pk).update(post_count=F("post_count") + len(PAYLOADS))  # as the post service does
    return (len(PAYLOADS) + 1 + 49) // 50 + 1


def test_the_hooks_see_an_execution(browser):
    """Canary: the same hooks do catch a payload that runs, and one that only the CSP stopped."""
    context = browser.new_context()
    context.add_init_script(HOOKS)
    pages = {
        "http://canary.test/open": ("<p>x</p><img src=x onerror=alert(1)><svg onload=window.__xss(2)>", {}),
        "http://canary.test/csp": (
            "<p>x</p><img src=x onerror=alert(3)><a href=javascript:alert(4)>x</a>",
            {"Content-Security-Policy": "script-src 'self'"},
        ),
    }

    def serve(route):
        body, headers = pages.get(route.request.url, ("", {}))
        route.fulfill(status=200 if body else 404, content_type="text/html", body=body, headers=headers)

    context.route("http://canary.test/**", serve)
    page = context.new_page()
    page.goto("http://canary.test/open")
    page.wait_for_timeout(100)
    calls = page.evaluate("window.__xssCalls")
    assert "alert:1" in calls and "__xss:2" in calls, calls
    page.goto("http://canary.test/csp")
    page.wait_for_timeout(100)
    calls = page.evaluate("window.__xssCalls")
    assert any(c.startswith("csp:script-src") for c in calls) and "alert:3" not in calls, calls
    assert page.evaluate(BAD_LINKS) == ["A href=javascript:alert(4)"]
    context.close()


def test_no_payload_executes_in_chromium(browser, asgi_server):
    world = asgi_server.call(_build)
    topic_pages = asgi_server.call(_one_post_per_payload, world)
    contexts, failures = {}, []
    dialogs = []
    # The bare directory lists members by name, 24 a page, and the browser tests share one
    # database: members made by earlier tests can push this world's off the first page. The same
    # page is checked with a search (/membres/?q=XSSR) here, and bare by test_xss_render.
    pages = [(role, path) for role, path in ((role, build(world)) for role, build in PAGES) if path != "/membres/"]
    pages += [("member", f"{world.open_topic.get_absolute_url()}?page={n}") for n in range(2, topic_pages + 1)]
    for role, path in pages:
        if role not in contexts:
            context = browser.new_context(locale="fr-FR")
            context.add_init_script(HOOKS)
            user = world.users[role]
            if user is not None:
                context.add_cookies([_session_cookie(user, asgi_server.url)])
            page = context.new_page()
            page.on("dialog", lambda dialog, role=role: (dialogs.append(f"{role} {page.url}: {dialog.message}"), dialog.dismiss()))
            contexts[role] = (context, page)
        page = contexts[role][1]
        response = page.goto(f"{asgi_server.url}{path}", wait_until="load")
        assert response.status == 200, f"{role} {path}: {response.status}"
        page.wait_for_timeout(50)  # let load-time handlers (onload, onerror, autofocus) fire
        calls = page.evaluate("window.__xssCalls")
        links = page.evaluate(BAD_LINKS)
        if calls or links:
            failures.append(f"{role} {path}: calls={calls[:5]} links={links[:5]}")
        if "XSSR0" not in page.content() and "XSSPOST" not in page.content():
            failures.append(f"{role} {path}: the stored text is not on the page (the test would be blind there)")
    for context, _page in contexts.values():
        context.close()
    assert not dialogs, "dialogs opened:\n" + "\n".join(dialogs)
    assert not failures, "\n".join(failures)


def _build():
    world = build_world()
    fill(world, PAYLOADS, 0, "XSSR0")
    return world
