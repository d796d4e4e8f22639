"""Installable on a phone (issue 13, part 3): the web app manifest, the service worker
and the page it shows offline. None of them holds anyone's data, so all three are open
before a login and before the set-up, like the static files."""

from __future__ import annotations

from pathlib import Path

from flask import Blueprint, Response, current_app, jsonify, render_template, request, url_for

bp = Blueprint("app_shell", __name__)

ENDPOINTS = frozenset({"app_shell.manifest", "app_shell.service_worker", "app_shell.offline"})

# The brand blue (style.css --accent) and the light page background (--bg).
THEME_COLOUR = "#2f6fec"
BACKGROUND_COLOUR = "#f6f7f9"
# (file under static/icons, sizes, type, purpose): the sizes browsers ask for.
ICONS = (
    ("icon-192.png", "192x192", "image/png", "any"),
    ("icon-512.png", "512x512", "image/png", "any"),
    ("icon-maskable-192.png", "192x192", "image/png", "maskable"),
    ("icon-maskable-512.png", "512x512", "image/png", "maskable"),
    ("icon.svg", "any", "image/svg+xml", "any"),
)


def is_open(endpoint: str | None) -> bool:
    return endpoint in ENDPOINTS


@bp.get("/manifest.webmanifest")
def manifest() -> Response:
    root = request.script_root + "/"
    response = jsonify({
        "id": root,
        "name": "Flashcards: interview preparation",
        "short_name": "Flashcards",
        "description": "Spaced-repetition review and a study plan for the month before "
                       "an interview.",
        "start_url": url_for("review.home"),
        "scope": root,
        "display": "standalone",
        "theme_color": THEME_COLOUR,
        "background_color": BACKGROUND_COLOUR,
        "icons": [{"src": url_for("static", filename=f"icons/{name}"), "sizes": sizes,
                   "type": type_, "purpose": purpose}
                  for name, sizes, type_, purpose in ICONS],
    })
    response.mimetype = "application/manifest+json"
    return response


@bp.get("/sw.js")
def service_worker() -> Response:
    # Served from the root, not /static/, so that its scope is the whole app.
    script = Path(current_app.static_folder or "static", "sw.js").read_bytes()
    response = Response(script, mimetype="text/javascript")
    response.add_etag()
    response.headers["Service-Worker-Allowed"] = request.script_root + "/"
    # The browser checks for a new worker on each visit: never an hour-old copy.
    response.headers["Cache-Control"] = "no-cache"
    response.make_conditional(request)  # 304 when the browser's copy is current
    return response


@bp.get("/offline")
def offline() -> str:
    """What the service worker shows when a page cannot be reached: it names no user."""
    return render_template("offline.html")
