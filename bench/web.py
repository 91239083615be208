"""Load on ``follicle serve``: concurrent journal clients and image uploads (issue 12).

    python bench/web.py                       # 50 journal clients x 10 entries, 10 uploads
    python bench/web.py --clients 20 --entries 5 --uploaders 4 --json
    python bench/web.py --prefill 2000 --uploaders 0   # writes into a long journal

Starts ``follicle serve`` on 127.0.0.1 (a free port, a temporary data directory; never
another host), logs every client in through the login URL as a browser would (its own
session cookie and CSRF token), then runs all clients at once: journal clients post
entries through the API, uploaders post a rendered 640 x 512 image for analysis. Reports
errors, lost entries (posted vs. stored) and latency percentiles. --prefill N first
writes N past entries (twice-daily minoxidil) into the journal, so that the writes'
latency can be compared between a short and a long journal. Bounded in time:
--timeout seconds for the whole run. Timings depend on the machine and its load.
"""

from __future__ import annotations

import argparse
import asyncio
import io
import json
import re
import socket
import statistics
import subprocess
import sys
import tempfile
import time
from datetime import UTC, datetime, timedelta
from pathlib import Path

import httpx

CSRF = re.compile(r'name="csrf_token" value="([^"]+)"')


def start_server(data_dir: Path, *options: str) -> tuple[subprocess.Popen, str, str]:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    follicle = Path(sys.executable).with_name("follicle")
    process = subprocess.Popen(
        [str(follicle), "serve", "--port", str(port), "--data-dir", str(data_dir), *options],
        stdout=subprocess.PIPE,
        text=True,
    )
    login = None
    while login is None:
        line = process.stdout.readline()
        if not line:
            raise SystemExit("follicle serve stopped before printing its login URL")
        found = re.search(r"(http://127\.0\.0\.1:\d+/login\S*)", line)
        login = found.group(1) if found else None
    base = login.split("/login")[0]
    for _ in range(200):
        try:
            httpx.get(f"{base}/healthz", timeout=1)
            break
        except httpx.HTTPError:
            time.sleep(0.05)
    return process, base, login


async def session_headers(client: httpx.AsyncClient, login: str) -> dict:
    """Log in as a browser does; the Secure cookie is sent by hand over plain http."""
    answer = await client.get(login, follow_redirects=False)
    cookie = answer.headers["set-cookie"].split(";", 1)[0]
    page = await client.get("/journal", headers={"cookie": cookie})
    return {"cookie": cookie, "x-csrf-token": CSRF.search(page.text).group(1)}


def rendered_png() -> bytes:
    from PIL import Image

    from follicle.measure.render import render_trichoscopy

    scene = render_trichoscopy(um_per_px=4.0, shape_px=(512, 640), unit_count=8, seed=3)
    buffer = io.BytesIO()
    Image.fromarray(scene.image).save(buffer, format="PNG")
    return buffer.getvalue()


async def journal_client(client, headers, index: int, entries: int, latencies, errors):
    start = datetime.now(UTC) - timedelta(days=1)
    posted = 0
    for k in range(entries):
        # each entry at its own second: client i, entry k
        at = start + timedelta(seconds=index * 1000 + k)
        body = {
            "kind": "application",
            "details": {"medicine": "finasteride", "dose_mg": 1},
            "at": at.isoformat(),
            "tz": "UTC",
            "note": f"client {index} entry {k}",
        }
        began = time.perf_counter()
        try:
            answer = await client.post("/api/v1/journal/entries", json=body, headers=headers)
        except httpx.HTTPError as error:
            errors.append(f"journal {type(error).__name__}")
            continue
        latencies.append(time.perf_counter() - began)
        if answer.status_code == 200:
            posted += 1
        else:
            errors.append(f"journal {answer.status_code}: {answer.text[:120]}")
    return posted


async def upload_client(client, headers, image: bytes, latencies, errors):
    began = time.perf_counter()
    try:
        answer = await client.post(
            "/api/v1/measure/analyze",
            headers=headers,
            data={"um_per_px": "4"},
            files={"image": ("scalp.png", image, "image/png")},
        )
    except httpx.HTTPError as error:
        errors.append(f"upload {type(error).__name__}")
        return
    latencies.append(time.perf_counter() - began)
    if answer.status_code != 200:
        errors.append(f"upload {answer.status_code}: {answer.text[:120]}")


def percentile(values: list[float], q: float) -> float:
    if not values:
        return float("nan")
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, round(q * (len(ordered) - 1)))]


async def run(args, base: str, login: str) -> dict:
    image = rendered_png()
    limits = httpx.Limits(max_connections=args.clients + args.uploaders + 5)
    timeout = httpx.Timeout(args.timeout)
    async with httpx.AsyncClient(base_url=base, limits=limits, timeout=timeout) as client:
        n = args.clients + args.uploaders
        sessions = await asyncio.gather(*(session_headers(client, login) for _ in range(n)))
        journal_ms: list[float] = []
        upload_ms: list[float] = []
        errors: list[str] = []
        began = time.perf_counter()
        jobs = [
            journal_client(client, sessions[i], i, args.entries, journal_ms, errors)
            for i in range(args.clients)
        ] + [
            upload_client(client, sessions[args.clients + j], image, upload_ms, errors)
            for j in range(args.uploaders)
        ]
        results = await asyncio.wait_for(asyncio.gather(*jobs), timeout=args.timeout)
        wall = time.perf_counter() - began
        posted = sum(r for r in results[: args.clients] if r)
        shown = await client.get(
            "/api/v1/journal/entries", params={"limit": 10_000}, headers=sessions[0]
        )
        stored = len(shown.json()["entries"]) - args.prefill
    return {
        "prefilled": args.prefill,
        "clients": args.clients,
        "entries_per_client": args.entries,
        "uploaders": args.uploaders,
        "wall_s": round(wall, 2),
        "errors": len(errors),
        "error_examples": errors[:5],
        "posted": posted,
        "stored": stored,
        "lost": posted - stored,
        "journal_p50_ms": round(1000 * statistics.median(journal_ms), 1) if journal_ms else None,
        "journal_p95_ms": round(1000 * percentile(journal_ms, 0.95), 1) if journal_ms else None,
        "upload_p50_s": round(statistics.median(upload_ms), 2) if upload_ms else None,
        "upload_p95_s": round(percentile(upload_ms, 0.95), 2) if upload_ms else None,
    }


def prefill(data_dir: Path, count: int) -> None:
    """``count`` twice-daily minoxidil doses ending a day ago, in one journal."""
    from follicle.care.journal.service import Journal

    if count <= 0:
        return
    data_dir.mkdir(parents=True)
    now = datetime.now(UTC).replace(microsecond=0)
    dose = {"medicine": "minoxidil", "route": "topical"}
    with Journal.open(data_dir / "journal.sqlite3") as journal:
        for k in range(count):
            at = now - timedelta(days=1, hours=12 * (count - k))
            journal.log("application", dose, at=at, tz="UTC", now=now)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--clients", type=int, default=50)
    parser.add_argument("--entries", type=int, default=10)
    parser.add_argument("--uploaders", type=int, default=10)
    parser.add_argument("--timeout", type=float, default=300.0, help="seconds for the run")
    parser.add_argument("--prefill", type=int, default=0, help="past entries written first")
    parser.add_argument("--json", action="store_true")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as scratch:
        prefill(Path(scratch) / "data", args.prefill)
        process, base, login = start_server(Path(scratch) / "data")
        try:
            result = asyncio.run(run(args, base, login))
        finally:
            process.terminate()
            process.wait(timeout=10)
    if args.json:
        print(json.dumps(result, indent=2))
        return
    for key, value in result.items():
        print(f"{key:>20}: {value}")
    if result["errors"] or result["lost"]:
        raise SystemExit(1)


if __name__ == "__main__":
    main()
