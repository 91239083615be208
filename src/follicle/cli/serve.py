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
    clinic: Annotated[
        bool,
        typer.Option(
            "--clinic",
            help="Clinic mode: accounts with passwords, one record per patient; each user "
            "sees only their own patients.",
        ),
    ] = False,
    create_user: Annotated[
        str | None,
        typer.Option(
            "--create-user",
            metavar="NAME",
            help="With --clinic: create this account (the password is read from a prompt, "
            "or the first line of stdin), then exit.",
        ),
    ] = None,
    remove_user: Annotated[
        str | None,
        typer.Option(
            "--remove-user",
            metavar="NAME",
            help="With --clinic: remove this account, then exit. Refused while it has "
            "patients (records are never deleted) unless --transfer-patients-to names "
            "the account that takes them; its sessions end at once.",
        ),
    ] = None,
    transfer_patients_to: Annotated[
        str | None,
        typer.Option(
            "--transfer-patients-to",
            metavar="NAME",
            help="With --remove-user: the account that takes the removed one's patients.",
        ),
    ] = None,
    list_users: Annotated[
        bool,
        typer.Option(
            "--list-users",
            help="With --clinic: print each account and its number of patients, then exit.",
        ),
    ] = False,
    scheduler: Annotated[
        str | None,
        typer.Option(
            "--scheduler",
            metavar="ADDRESS",
            help="Run trial and validate jobs on this Dask scheduler (e.g. tcp://10.0.0.5:8786).",
        ),
    ] = None,
) -> None:
    r"""Open follicle in the browser: journal, plan and measure pages, and a JSON API.

    Binds to 127.0.0.1 and prints a login URL with a random token, new at every start (as
    Jupyter does): open it in your browser. Needs the web extra: pip install
    'follicle\[web]'.

    With --clinic: accounts with passwords and one record per patient (docs/web.md).

    Examples:

        follicle serve --port 8765 --data-dir ~/follicle-data

        follicle serve --clinic --create-user dr.lee --data-dir /srv/follicle

        follicle serve --clinic --remove-user dr.lee --transfer-patients-to dr.kim
    """
    admin = {
        "--create-user": create_user is not None,
        "--remove-user": remove_user is not None,
        "--list-users": list_users,
    }
    chosen = [name for name, given in admin.items() if given]
    for name in chosen:
        if not clinic:
            fail(f"{name} needs --clinic (accounts exist in clinic mode only)")
    if len(chosen) > 1:
        fail(f"{chosen[0]} and {chosen[1]} are not allowed together; expected one of them")
    if transfer_patients_to is not None and remove_user is None:
        fail("--transfer-patients-to needs --remove-user (the account whose patients move)")
    if scheduler is not None and not scheduler.strip():
        fail(f"--scheduler = {scheduler!r} is not allowed; expected a Dask scheduler address")
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

        if clinic:
            import argon2  # noqa: F401  (password hashes; in the web extra)
    except ImportError as missing:
        fail(
            f"follicle serve needs the web extra ({missing.name} is missing); "
            "install it with: pip install 'follicle[web]'"
        )
    hosts = ("*",) if allow_remote else ("127.0.0.1", "localhost", "::1", host)
    config = WebConfig(
        data_dir=(data_dir or default_data_dir()).expanduser().resolve(),
        allowed_hosts=hosts,
        clinic=clinic,
        scheduler=scheduler,
    )
    if create_user is not None:
        _create_user(config, create_user)
        return
    if remove_user is not None:
        _remove_user(config, remove_user, transfer_patients_to)
        return
    if list_users:
        _list_users(config)
        return
    try:
        app = create_app(config)
    except OSError as error:
        fail(f"--data-dir = {str(config.data_dir)!r} cannot be used ({error.strerror or error})")
    _check_free(host, port)
    shown = f"[{host}]" if ":" in host else host
    if clinic:
        print(
            f"follicle serve --clinic: data in {config.data_dir}\n"
            f"Open http://{shown}:{port}/login and log in with your account.\n"
            "Press Ctrl+C to stop.",
            flush=True,
        )
    else:
        print(
            f"follicle serve: data in {config.data_dir}\n"
            f"Open this URL in your browser (it logs you in; keep it private):\n"
            f"    http://{shown}:{port}/login?token={config.login_token}\n"
            "Press Ctrl+C to stop.",
            flush=True,
        )
    uvicorn.run(app, host=host, port=port, log_level="warning", access_log=False)
    print("follicle serve: stopped", file=sys.stderr)


def _create_user(config, name: str) -> None:
    """Create a clinic account; the password never comes from argv (it would show in the
    process list and the shell history)."""
    import getpass

    from follicle.errors import FollicleInputError
    from follicle.web.clinic import create_user_from_stdin

    if sys.stdin.isatty():
        password = getpass.getpass(f"Password for {name}: ")
        if getpass.getpass("Again: ") != password:
            fail("--create-user: the two passwords differ")
    else:
        password = sys.stdin.readline().rstrip("\r\n")
    try:
        create_user_from_stdin(config, name, password)
    except FollicleInputError as problem:
        fail(str(problem))
    except OSError as error:
        fail(f"--data-dir = {str(config.data_dir)!r} cannot be used ({error.strerror or error})")
    print(f"follicle serve: created the account {name!r} in {config.data_dir}")


def _remove_user(config, name: str, transfer_to: str | None) -> None:
    """Remove a clinic account; its patients move to ``transfer_to`` or it is refused."""
    from follicle.errors import FollicleInputError
    from follicle.web.clinic import remove_user

    try:
        moved, ended = remove_user(config, name, transfer_to=transfer_to)
    except FollicleInputError as problem:
        fail(str(problem))
    except OSError as error:
        fail(f"--data-dir = {str(config.data_dir)!r} cannot be used ({error.strerror or error})")
    patients = f"; its {moved} patient(s) now belong to {transfer_to!r}" if moved else ""
    print(
        f"follicle serve: removed the account {name!r}{patients}; "
        f"{ended} session(s) ended (recorded in {config.accounts_path.name})"
    )


def _list_users(config) -> None:
    from follicle.web.accounts import Accounts

    if not config.accounts_path.is_file():
        where = str(config.data_dir)
        fail(f"--data-dir = {where!r} is not allowed; expected a clinic's data directory")
    accounts = Accounts(config.accounts_path)
    try:
        counts = accounts.patient_counts()
    finally:
        accounts.close()
    for name, patients in counts.items():
        print(f"{name}\t{patients} patient{'' if patients == 1 else 's'}")


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
