"""The panel's navigation menu, rendered once per role and page instead of on every request.

Flask-Admin's menu macro asks every view (some forty) whether it is accessible and visible and builds its
URL on each page: about a third of a list page's rendering. What it shows depends only on who asks (the
role: staff_only / admin_only are the only rules the views apply) and which view is active, so the HTML is
kept per (role, active view, URL root) in this process.
"""
from __future__ import annotations

from flask import Flask, request
from flask_login import current_user
from markupsafe import Markup

_LIMIT = 2000


def _key(admin_view):
    role = current_user.role if current_user.is_authenticated else None
    admin = admin_view.admin
    return (id(admin), len(admin._views), role, admin_view.endpoint, request.script_root)


def cached_menu(admin_view, render) -> Markup:
    cache = admin_view.admin.__dict__.setdefault("_bw_menu_cache", {})
    key = _key(admin_view)
    html = cache.get(key)
    if html is None:
        html = Markup(render())
        if len(cache) >= _LIMIT:
            cache.clear()
        cache[key] = html
    return html


def init(app: Flask) -> None:
    app.jinja_env.globals["bw_cached_menu"] = cached_menu
