"""``follicle serve``: the web app in a browser (docs/web.md)."""

from __future__ import annotations

import ipaddress
import sys
from pathlib import Path
from typing import Annotated

import typer

from follicle.cli.support import fail


def serve_command(
    port: Annotated[int, typer.Option("--port", help="Port to listen on (1-65535).")] = 8765,
    host: Annotated[
        str,
        typer.Option("--host", help="Address to bind; only loopback unless --allow-remote."),
    ] = "127.0.0.1",
    data_dir: Annotated[
        Path | None,
        typer.Option(
            "--data-dir",
            help="Where the journal and uploads live (default: follicle/web in the user data "
            "directory, e.g. ~/.local/share/follicle/web).",
        ),
    ] = None,
    allow_remote: Annotated[
        bool,
        typer.Option(
            "--allow-remote",
            help="Allow a non-loopback --host (put HTTPS in front: the cookie is Secure).",
        ),
    ] = False,
) -> None:
    r"""Open follicle in the browser: journal, plan and measure pages, and a JSON API.

    Binds to 127.0.0.1 and prints a login URL with a random token, new at every start (as
    Jupyter does): open it in your browser. Needs the web extra: pip install
    'follicle\[web]'.

    Example:

        follicle serve --port 8765 --data-dir ~/follicle-data
    """
    if not 1 <= port <= 65535:
        fail(f"--port = {port} is not allowed; expected a port from 1 to 65535")
    try:
        loopback = ipaddress.ip_address(host).is_loopback
    except ValueError:
        loopback = host == "localhost"
    if not loopback and not allow_remote:
        fail(
            f"--host = {host!r} is not allowed; expected a loopback address such as 127.0.0.1 "
            "(or add --allow-remote, behind HTTPS)"
        )
    try:
        import uvicorn

        from follicle.web.app import create_app
        from follicle.web.config import WebConfig, default_data_dir
    except ImportError as missing:
        fail(
            f"follicle serve needs the web extra ({missing.name} is missing); "
            "install it with: pip install 'follicle[web]'"
        )
    hosts = ("*",) if allow_remote else ("127.0.0.1", "localhost", "::1", host)
    config = WebConfig(
        data_dir=(data_dir or default_data_dir()).expanduser().resolve(), allowed_hosts=hosts
    )
    try:
        app = create_app(config)
    except OSError as error:
        fail(f"--data-dir = {str(config.data_dir)!r} cannot be used ({error.strerror or error})")
    _check_free(host, port)
    shown = f"[{host}]" if ":" in host else host
    print(
        f"follicle serve: data in {config.data_dir}\n"
        f"Open this URL in your browser (it logs you in; keep it private):\n"
        f"    http://{shown}:{port}/login?token={config.login_token}\n"
        "Press Ctrl+C to stop.",
        flush=True,
    )
    uvicorn.run(app, host=host, port=port, log_level="warning", access_log=False)
    print("follicle serve: stopped", file=sys.stderr)


def _check_free(host: str, port: int) -> None:
    """Refuse a port another program holds before printing a login URL that would not work."""
    import socket

    family = socket.AF_INET6 if ":" in host else socket.AF_INET
    with socket.socket(family) as probe:
        try:
            probe.bind((host, port))
        except OSError as error:
            fail(
                f"--port = {port} is not allowed; expected a free port on {host} "
                f"({error.strerror or error})"
            )


def register(app: typer.Typer) -> None:
    app.command("serve")(serve_command)
