"""The dashboard's routes on the serve application. A GET never signs anyone in or spends a
token (mail and chat link scanners fetch links first); every POST carries a CSRF token; the
session is checked on each request, the coach role too."""

import logging
from pathlib import Path
from typing import Any

import aiohttp_jinja2
import jinja2
from aiohttp import web

from bot.dashboard.access import SESSION_LIFE, Opened
from bot.dashboard.client_address import client_address
from bot.dashboard.pages import Dashboard, cohort_page, leader_page
from bot.dashboard.schedule_forms import add_schedule, remove_schedule
from bot.domain import UserKey
from bot.logs import log

logger = logging.getLogger("peercoach.dashboard")
COOKIE = "peercoach_dashboard"
STATIC = Path(__file__).parent / "static"
DASHBOARD_KEY = web.AppKey("dashboard", Dashboard)
HEADERS = {
    "Content-Security-Policy": "default-src 'self'; frame-ancestors 'none'; form-action 'self'",
    "X-Content-Type-Options": "nosniff",
    "Referrer-Policy": "no-referrer",
    "X-Frame-Options": "DENY",
    "Cache-Control": "no-store",
}


def mount(web_app: web.Application, dashboard: Dashboard) -> None:
    web_app[DASHBOARD_KEY] = dashboard
    aiohttp_jinja2.setup(
        web_app,
        loader=jinja2.PackageLoader("bot.dashboard", "templates"),
        autoescape=True,
        undefined=jinja2.StrictUndefined,
    )
    web_app.on_response_prepare.append(_headers)
    add = web_app.router
    add.add_get("/dashboard/sign-in/{token}", sign_in_page)
    add.add_post("/dashboard/sign-in/{token}", sign_in)
    add.add_get("/dashboard", cohort)
    add.add_get("/dashboard/leaders/{id}", leader)
    add.add_post("/dashboard/leaders/{id}/schedules", schedule_add)
    add.add_post("/dashboard/leaders/{id}/schedules/{schedule}/remove", schedule_remove)
    add.add_post("/dashboard/sign-out", sign_out)
    add.add_static("/dashboard/static/", STATIC, append_version=False)


async def _headers(request: web.Request, response: web.StreamResponse) -> None:
    if request.path.startswith("/dashboard"):
        response.headers.update(HEADERS)


def problem(request: web.Request, status: int, title: str, text: str) -> web.Response:
    return aiohttp_jinja2.render_template(
        "problem.html",
        request,
        {"title": title, "text": text},
        status=status,
    )


# ---------------------------------------------------------------- signing in


def _address(request: web.Request) -> str:
    trusted = request.app[DASHBOARD_KEY].trusted_proxies
    return client_address(request.remote, request.headers.getall("X-Forwarded-For", ()), trusted)


async def _current(request: web.Request) -> Opened | None:
    d = request.app[DASHBOARD_KEY]
    return await d.sign_ins.session_of(request.cookies.get(COOKIE), d.sign_ins.clock.now())


def _bad_token(request: web.Request) -> web.Response:
    request.app[DASHBOARD_KEY].limiter.failed(_address(request))
    return problem(
        request,
        410,
        "This link no longer works",
        "Sign-in links work once, for ten minutes, and only for the coach they were sent to. "
        "This one has been used, has expired, or was made for someone else.",
    )


def _slowed(request: web.Request, wait: float) -> web.Response:
    response = problem(
        request,
        429,
        "Too many tries",
        f"Several links from this address did not work. Wait {int(wait) + 1} seconds, "
        "then try again.",
    )
    response.headers["Retry-After"] = str(int(wait) + 1)
    return response


async def sign_in_page(request: web.Request) -> web.Response:
    d = request.app[DASHBOARD_KEY]
    if wait := d.limiter.wait(_address(request)):
        return _slowed(request, wait)
    raw = request.match_info["token"]
    token = await d.sign_ins.usable(raw, d.sign_ins.clock.now())
    current = await _current(request)
    if token is None or (current is not None and current.session.coach != token.coach):
        return _bad_token(request)
    context = {"name": d.name_of(token.coach), "csrf": d.sign_ins.sign_in_csrf(raw)}
    return aiohttp_jinja2.render_template("sign_in.html", request, context)


async def sign_in(request: web.Request) -> web.Response:
    d = request.app[DASHBOARD_KEY]
    if wait := d.limiter.wait(_address(request)):
        return _slowed(request, wait)
    raw = request.match_info["token"]
    form = await request.post()
    if not d.sign_ins.sign_in_csrf_ok(raw, str(form.get("csrf", ""))):
        return _forbidden(request)
    at = d.sign_ins.clock.now()
    current = await _current(request)
    found = await d.sign_ins.usable(raw, at)
    if found is None or (current is not None and current.session.coach != found.coach):
        return _bad_token(request)
    token = await d.sign_ins.spend(raw, at)
    if token is None or not d.coaching.is_coach(UserKey.parse(token.coach)):
        return _bad_token(request)
    cookie = await d.sign_ins.start_session(token.coach, at)
    log(logger, "dashboard.signed_in", coach=UserKey.parse(token.coach).hashed)
    response = web.HTTPSeeOther("/dashboard")
    response.set_cookie(
        COOKIE,
        cookie,
        max_age=int(SESSION_LIFE.total_seconds()),
        path="/dashboard",
        httponly=True,
        secure=d.secure_cookie,
        samesite="Strict",
    )
    raise response


def _forbidden(request: web.Request) -> web.Response:
    return problem(
        request,
        403,
        "That form had expired",
        "The page was open too long or came from elsewhere. Go back, reload it and try again.",
    )


# ---------------------------------------------------------------- signed-in pages


async def _coach(request: web.Request) -> tuple[Opened, str] | web.Response:
    """The signed-in coach, still a coach; else the page that says how to sign in."""
    d = request.app[DASHBOARD_KEY]
    opened = await _current(request)
    if opened is None:
        return problem(
            request, 401, "Please sign in", "Your session has ended or you are not signed in."
        )
    if not d.coaching.is_coach(UserKey.parse(opened.session.coach)):
        await d.sign_ins.end(opened, d.sign_ins.clock.now())
        return problem(
            request,
            403,
            "You are no longer a coach",
            "An administrator has removed your coach role, so your session ended.",
        )
    return opened, d.sign_ins.csrf(opened)


async def _checked_post(request: web.Request) -> tuple[Opened, str, Any] | web.Response:
    found = await _coach(request)
    if isinstance(found, web.Response):
        return found
    form = await request.post()
    if not request.app[DASHBOARD_KEY].sign_ins.csrf_ok(found[0], str(form.get("csrf", ""))):
        return _forbidden(request)
    return found[0], found[1], form


async def cohort(request: web.Request) -> web.Response:
    found = await _coach(request)
    if isinstance(found, web.Response):
        return found
    opened, csrf = found
    d = request.app[DASHBOARD_KEY]
    number = int(request.query.get("page", "1")) if request.query.get("page", "").isdigit() else 1
    at = d.sign_ins.clock.now()
    page = await cohort_page(d, opened.session.coach, csrf, number, at)
    return aiohttp_jinja2.render_template("cohort.html", request, {"page": page})


async def leader(request: web.Request) -> web.Response:
    found = await _coach(request)
    if isinstance(found, web.Response):
        return found
    opened, csrf = found
    d = request.app[DASHBOARD_KEY]
    link = d.link_of(opened.session.coach, request.match_info["id"])
    if link is None:
        return _not_yours(request)
    message = {
        "saved": "Saved. They have been told in chat and can pause it.",
        "removed": "Removed. They have been told in chat.",
    }.get(request.query.get("done", ""))
    page = await leader_page(
        d, opened.session.coach, csrf, link, d.sign_ins.clock.now(), message=message
    )
    return aiohttp_jinja2.render_template("leader.html", request, {"page": page})


def _not_yours(request: web.Request) -> web.Response:
    return problem(
        request,
        404,
        "No such leader",
        "This page is not one of your leaders'. Your dashboard lists them.",
    )


async def schedule_add(request: web.Request) -> web.Response:
    found = await _checked_post(request)
    if isinstance(found, web.Response):
        return found
    opened, csrf, form = found
    d = request.app[DASHBOARD_KEY]
    link = d.link_of(opened.session.coach, request.match_info["id"])
    if link is None:
        return _not_yours(request)
    at = d.sign_ins.clock.now()
    problems = await add_schedule(d, opened.session.coach, link, form, at)
    if problems:
        fields = {"days": str(form.get("days", "")), "time": str(form.get("time", ""))}
        page = await leader_page(
            d, opened.session.coach, csrf, link, at, problems=problems, form=fields
        )
        return aiohttp_jinja2.render_template("leader.html", request, {"page": page}, status=400)
    raise web.HTTPSeeOther(f"/dashboard/leaders/{link.id}?done=saved")


async def schedule_remove(request: web.Request) -> web.Response:
    found = await _checked_post(request)
    if isinstance(found, web.Response):
        return found
    opened, csrf, _form = found
    d = request.app[DASHBOARD_KEY]
    link = d.link_of(opened.session.coach, request.match_info["id"])
    if link is None:
        return _not_yours(request)
    at = d.sign_ins.clock.now()
    refused = await remove_schedule(
        d, opened.session.coach, link, request.match_info["schedule"], at
    )
    if refused:
        page = await leader_page(d, opened.session.coach, csrf, link, at, message=refused)
        return aiohttp_jinja2.render_template("leader.html", request, {"page": page}, status=400)
    raise web.HTTPSeeOther(f"/dashboard/leaders/{link.id}?done=removed")


async def sign_out(request: web.Request) -> web.Response:
    d = request.app[DASHBOARD_KEY]
    opened = await _current(request)
    if opened is not None:
        form = await request.post()
        if not d.sign_ins.csrf_ok(opened, str(form.get("csrf", ""))):
            return _forbidden(request)
        await d.sign_ins.end(opened, d.sign_ins.clock.now())
    response = problem(request, 200, "Signed out", "You have signed out of the dashboard.")
    response.del_cookie(COOKIE, path="/dashboard")
    return response
