"""``follicle serve`` refuses bad options with one line and exit code 2, before it prints
a login URL (the working server is started by the browser tests' fixture)."""

from __future__ import annotations

import socket
import subprocess
import sys
from pathlib import Path

import pytest

FOLLICLE = str(Path(sys.executable).with_name("follicle"))


@pytest.fixture
def busy_port():
    with socket.socket() as holder:
        holder.bind(("127.0.0.1", 0))
        holder.listen()
        yield holder.getsockname()[1]


@pytest.mark.parametrize(
    ("args", "named"),
    [
        (["--port", "0"], "--port"),
        (["--port", "70000"], "--port"),
        (["--host", "0.0.0.0"], "--host"),
        (["--host", "192.168.1.10"], "--host"),
        (["busy"], "free port"),
        (["--scheduler", " "], "--scheduler"),
    ],
)
def test_bad_serve_options_exit_2_with_one_line(args, named, busy_port, tmp_path):
    if args == ["busy"]:
        args = ["--port", str(busy_port)]
    done = subprocess.run(
        [FOLLICLE, "serve", *args, "--data-dir", str(tmp_path)],
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert done.returncode == 2
    assert done.stdout == ""  # no login URL for a server that will not start
    lines = done.stderr.strip().splitlines()
    assert len(lines) == 1 and lines[0].startswith("follicle: error:") and named in lines[0]
