"""The web workspace: the support team's window on chamado and a client's ticket page.

One more adapter: server-rendered HTML (Jinja2) with htmx for the parts that
update without a reload, served by the aiohttp server ``chamado serve``
already runs (``build_web_app``). Pages call the same ``HelpDesk`` use cases as
the chat and the CLI; nothing here decides a business rule.

Layout::

    config.py      WebConfig: public URL, secret key, link and session lifetimes
    context.py     WebContext (desk, config, kb, sla) in the app; web_context(request); ctx.run(fn, ...)
    auth.py        the signed session cookie, WebActor, current_actor, CSRF token,
                   decorators signed_in / analyst_only / manager_only / contact_only
    rendering.py   Jinja2 environment, the request's language, render(request, "area/page.html", **ctx)
    app.py         build_web_app: middlewares (errors, sessions, csrf), static files, the pages
    pages/         one module per page area, each with ``routes = web.RouteTableDef()``;
                   PAGE_MODULES in pages/__init__.py lists them
    templates/     base.html (blocks ``title`` and ``content``), error.html, one folder per area
    static/        app.css, app.js, htmx (pinned: htmx-2.0.11.min.js, from the npm package)
    locales/       <pt_BR|en>/<area>.po: one catalog per area, keys prefixed ``web.``

Adding a page:

1. ``bot/web/pages/<area>.py``::

       routes = web.RouteTableDef()

       @routes.get("/painel", name="dashboard")
       @manager_only
       async def dashboard(request: web.Request) -> web.StreamResponse:
           ctx = web_context(request)
           report = await ctx.run(sla_report, ctx.desk, month)   # a use case, in a worker thread
           return render(request, "dashboard/index.html", report=report)

2. its dotted name in ``PAGE_MODULES``;
3. ``templates/<area>/*.html`` extending ``base.html``; every ``<form method="post">``
   carries ``{{ csrf_field() }}`` (htmx requests send the token as a header by themselves);
4. its texts in ``locales/<pt_BR|en>/<area>.po``; tests in ``tests/web/`` with the fixtures
   of ``tests/web/conftest.py``.

A ``DomainError`` raised by a use case becomes a polite page (the ``errors``
middleware); catch it yourself to show it next to the form instead.
"""
