"""``privnum api``: send one signed Huawei API request (X-AKSK) to a privnum server and print the answer.

For operators and integrators who want to try the API from a shell without writing a client.
"""

from __future__ import annotations

import json
import urllib.error
import urllib.parse
import urllib.request

import typer
from rich.console import Console

from privnum.config import Settings
from privnum.huawei.aksk import aksk_headers

console = Console()

def api(
    method: str = typer.Argument(..., help="GET, POST, PUT or DELETE."),
    uri: str = typer.Argument(..., help="e.g. /rest/caas/relationnumber/partners/v1.0"),
    data: str = typer.Argument(None, help="JSON object: the body (POST/PUT) or the query parameters (GET/DELETE)."),
    app_key: str = typer.Option(..., "--key", envvar="PRIVNUM_APP_KEY", help="APP_Key."),
    app_secret: str = typer.Option(..., "--secret", envvar="PRIVNUM_APP_SECRET", help="APP_Secret."),
    base_url: str = typer.Option(None, help="Server (default from PRIVNUM_HOST/PRIVNUM_PORT)."),
) -> None:
    """Send one signed request, e.g.: privnum api POST /rest/caas/relationnumber/partners/v1.0
    '{"relationNum": "+8617000000001", "callerNum": "+8613900000001", "calleeNum": "+8613900000002"}'."""
    method = method.upper()
    fields = json.loads(data) if data else {}
    if not isinstance(fields, dict):
        raise typer.BadParameter("must be a JSON object", param_hint="DATA")
    base = (base_url or Settings.from_env().base_url).rstrip("/")
    url, body = base + uri, None
    if method in ("GET", "DELETE"):
        if fields:
            url += ("&" if "?" in url else "?") + urllib.parse.urlencode(fields)
    else:
        body = json.dumps(fields).encode()
    request = urllib.request.Request(url, data=body, method=method, headers=aksk_headers(app_key, app_secret))
    try:
        with urllib.request.urlopen(request, timeout=30) as response:
            status, text = response.status, response.read().decode()
    except urllib.error.HTTPError as error:
        status, text = error.code, error.read().decode()
    except urllib.error.URLError as error:
        console.print(f"[red]cannot reach {base}: {error.reason}[/red]")
        raise typer.Exit(1) from None
    print(f"HTTP {status}")
    print(text)
    if status >= 400:
        raise typer.Exit(1)
