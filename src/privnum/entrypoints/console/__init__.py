"""The web console at ``/console``: server-rendered pages (Jinja2, htmx 2, gettext zh_CN/en) over the same
use cases as the management API. ``router.install(app)`` serves it; areas are listed in ``router.AREAS``;
docs/console.md says how to add one."""
