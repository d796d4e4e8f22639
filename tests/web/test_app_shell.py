"""Installable (issue 13, part 3): the manifest, its icons, the service worker and the
offline page over HTTP."""

from __future__ import annotations

import struct
from urllib.parse import urlsplit

import pytest

from flashcards.services import users
from tests.conftest import START


def png_size(data: bytes) -> tuple[int, int]:
    assert data[:8] == b"\x89PNG\r\n\x1a\n" and data[12:16] == b"IHDR"
    return struct.unpack(">II", data[16:24])


def test_the_manifest_names_the_app_and_its_icons(client) -> None:
    response = client.get("/manifest.webmanifest")
    assert response.status_code == 200
    assert response.mimetype == "application/manifest+json"
    manifest = response.get_json(force=True)
    assert manifest["name"] and manifest["short_name"] == "Flashcards"
    assert manifest["start_url"] == "/" and manifest["scope"] == "/"
    assert manifest["display"] == "standalone"
    assert manifest["theme_color"].startswith("#") and manifest["background_color"].startswith("#")
    sizes = {(icon["type"], icon["sizes"], icon["purpose"]) for icon in manifest["icons"]}
    assert {("image/png", "192x192", "any"), ("image/png", "512x512", "any"),
            ("image/png", "512x512", "maskable"),
            ("image/svg+xml", "any", "any")} <= sizes


def test_every_icon_the_manifest_names_is_served_at_its_size(client) -> None:
    manifest = client.get("/manifest.webmanifest").get_json(force=True)
    assert len(manifest["icons"]) >= 4
    for icon in manifest["icons"]:
        response = client.get(urlsplit(icon["src"]).path)
        data = response.get_data()
        response.close()  # a static file: close its handle
        assert response.status_code == 200, icon
        assert response.mimetype == icon["type"], icon
        if icon["type"] == "image/png":
            width, height = png_size(data)
            assert f"{width}x{height}" == icon["sizes"], icon
        else:
            assert data.startswith(b"<svg") and b"viewBox" in data


def test_every_page_links_the_manifest_and_the_worker(client) -> None:
    page = client.get("/").get_data(as_text=True)
    assert '<link rel="manifest" href="/manifest.webmanifest" data-service-worker="/sw.js">' in page
    touch_icon = client.get("/static/icons/apple-touch-icon.png")
    data = touch_icon.get_data()
    touch_icon.close()
    assert png_size(data) == (180, 180)


def test_the_service_worker_is_served_from_the_root_and_never_from_a_stale_copy(client) -> None:
    response = client.get("/sw.js")
    assert response.status_code == 200
    assert response.mimetype == "text/javascript"
    assert response.headers["Cache-Control"] == "no-cache"
    assert response.headers["Service-Worker-Allowed"] == "/"
    body = response.get_data(as_text=True)
    # Only GETs are ever answered by the worker: a grade goes straight to the network.
    assert 'if (request.method !== "GET") return;' in body
    assert "sync" not in body.lower()  # no background sync: nothing queued for later
    again = client.get("/sw.js", headers={"If-None-Match": response.headers["ETag"]})
    assert again.status_code == 304


def test_the_content_security_policy_allows_the_worker_and_the_manifest(client) -> None:
    csp = client.get("/").headers["Content-Security-Policy"]
    assert "worker-src 'self'" in csp and "manifest-src 'self'" in csp
    assert "unsafe-inline" not in csp


def test_the_offline_page_says_so_and_names_nobody(client) -> None:
    response = client.get("/offline")
    assert response.status_code == 200
    page = response.get_data(as_text=True)
    assert "<h1>You are offline</h1>" in page
    assert "csrf_token" not in page and "<form" not in page


@pytest.mark.parametrize("path", ["/manifest.webmanifest", "/sw.js", "/offline"])
def test_the_app_shell_needs_no_login(app, session, path) -> None:
    """With accounts on, a browser fetches these before anyone logs in (the login page
    links the manifest; the worker refreshes itself)."""
    users.create_user(session, "ada", "correct horse battery", START)
    session.commit()
    client = app.test_client()
    assert client.get("/").status_code == 302  # pages need a login
    response = client.get(path)
    assert response.status_code == 200, path
    assert "ada" not in response.get_data(as_text=True)


def test_the_app_shell_comes_before_the_set_up(app, session) -> None:
    app.config["FIRST_RUN_SETUP"] = True
    client = app.test_client()
    assert client.get("/").status_code == 302
    for path in ("/manifest.webmanifest", "/sw.js", "/offline"):
        assert client.get(path).status_code == 200, path
