"""follicle in the browser: ``follicle serve`` (docs/web.md).

A thin layer, like the command line: pages (Jinja2) and a JSON API under ``/api/v1``
translate requests into calls of the library (journal, plan, calendar, image analysis)
and its answers into HTML or the CLI's ``--json`` shapes. Needs the ``web`` extra
(``pip install 'follicle[web]'``).

- ``config``: where data lives and the limits; ``uploads``: stored files, generated names;
- ``security``: login token, sessions, CSRF tokens, security headers; ``deps``: who calls;
- ``limits``: bounded heavy work; ``jobs``: background trials; ``followed``: the plan kept;
- ``actions``: request fields -> library calls, shared by the pages and the API;
- ``api`` and ``pages`` (a module per page): the routes; ``charts``: Vega-Lite specs;
  ``app``: ``create_app``.
"""
