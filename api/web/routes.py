"""Serves the pages (HTML shells without case data) and their static assets under /ui.

The pages hold no case data: they are public shells whose JavaScript calls the authenticated JSON
API with the user's server-side session (an HttpOnly cookie set at sign-in, api/signin/; every
state-changing call also carries the session's CSRF token). Without a live session every data
call answers 401 and the page sends the user to the login page. Which case or task a page shows
is in its query string (`/ui/case?id=…`), read only by the page's script: the server never looks
at it.

The front-end libraries (bpmn-js, Chart.js) are copied into static/vendor by scripts/setup-web
from npm; without them the app still serves, and the pages say which command is missing.
"""

from __future__ import annotations

from pathlib import Path

from fastapi import FastAPI
from fastapi.responses import FileResponse, RedirectResponse
from fastapi.staticfiles import StaticFiles

from api.deps import public
from api.routing import Router

HERE = Path(__file__).resolve().parent
PAGES = HERE / "pages"
STATIC = HERE / "static"

# No inline script or style, no plugin, no framing, no other origin; styles that bpmn-js and
# Chart.js set through the CSS object model are not inline styles and need no exception.
CONTENT_SECURITY_POLICY = "; ".join(
    (
        "default-src 'none'",
        "script-src 'self'",
        "style-src 'self'",
        "img-src 'self' data:",
        "font-src 'self' data:",
        "connect-src 'self'",
        "base-uri 'none'",
        "form-action 'self'",
        "frame-ancestors 'none'",
    )
)
PAGE_HEADERS = {
    "Content-Security-Policy": CONTENT_SECURITY_POLICY,
    "Cache-Control": "no-store",
    "X-Frame-Options": "DENY",
    "X-Content-Type-Options": "nosniff",
    "Referrer-Policy": "no-referrer",  # page URLs carry case and task ids
}

router = Router(prefix="/ui", tags=["pages"], include_in_schema=False)


def _page(name: str) -> FileResponse:
    return FileResponse(PAGES / f"{name}.html", media_type="text/html; charset=utf-8", headers=PAGE_HEADERS)


@router.get("", dependencies=[public()])
def root() -> RedirectResponse:
    return RedirectResponse("/ui/")


@router.get("/", dependencies=[public()])
def dashboard() -> FileResponse:
    """Leaders' overview: the report figures as charts and tables."""
    return _page("dashboard")


@router.get("/login", dependencies=[public()])
def login() -> FileResponse:
    return _page("login")


@router.get("/cases", dependencies=[public()])
def cases() -> FileResponse:
    """The case list with filters."""
    return _page("cases")


@router.get("/case", dependencies=[public()])
def case() -> FileResponse:
    """One case (`?id=`): diagram with the path taken, deadline timeline, open tasks, history."""
    return _page("case")


@router.get("/tasks", dependencies=[public()])
def inbox() -> FileResponse:
    """The task inbox; `?task=` opens a task's form."""
    return _page("inbox")


@router.get("/migration", dependencies=[public()])
def migration() -> FileResponse:
    """Process owners move running cases to another version (`?from=&to=` definition ids)."""
    return _page("migration")


def mount(app: FastAPI) -> None:
    """Add the pages and their assets to `app` (static files count as framework routes)."""
    app.include_router(router)
    app.mount("/ui/static", StaticFiles(directory=STATIC), name="ui-static")
