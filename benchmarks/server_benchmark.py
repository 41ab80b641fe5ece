"""The server under slow clients, measured as a reader meets it: how long a page takes while they hold connections.

Runs the real `library serve` (waitress, its limits and guards) in its own process on a copy
of the project, and from this process opens slow connections to it, each with a request's
headers begun and never ended (a byte more every 3 s), from one or several local addresses
(127.0.0.2, 127.0.0.3, …; only 127.0.0.1 is ever the destination). Then a reader at 127.0.0.1
asks for a page, again and again: prints p50, p95 and the worst time to the whole page, and how
many came at all within 30 s. Last, the same with `library serve --watch` and 45 preview tabs'
reload channels open.

    .venv/bin/python benchmarks/server_benchmark.py [--reads 20]
"""
from __future__ import annotations

import argparse
import contextlib
import os
import platform
import re
import shutil
import socket
import statistics
import subprocess
import sys
import tempfile
import threading
import time
import urllib.request
from pathlib import Path

REPOSITORY = Path(__file__).resolve().parent.parent
PAGE = "fr/what-is-the-imrf.html"
# (what is measured, slow connections, from how many addresses)
SCENARIOS = [
    ("no slow client", 0, 1),
    ("1,010 slow connections from one address (the attack of issue 28)", 1010, 1),
    ("900 slow connections from 9 addresses (100 each)", 900, 9),
    ("1,100 slow connections from 11 addresses (more than the 1,000 the server takes)", 1100, 11),
]


def copy_project(folder: Path) -> Path:
    for name in ("papers", "locales", "templates"):
        shutil.copytree(REPOSITORY / name, folder / name)
    shutil.copy(REPOSITORY / "setup.cfg", folder / "setup.cfg")
    return folder


def start_server(folder: Path, *options: str) -> tuple[subprocess.Popen, int]:
    """`library serve` on a free port; its process and port, once it serves."""
    command = [sys.executable, "-m", "library", "--config", str(folder / "setup.cfg"), "serve", "--port", "0", *options]
    server = subprocess.Popen(command, cwd=folder, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True)
    for line in server.stdout:
        found = re.search(r"on http://127\.0\.0\.1:(\d+)/", line)
        if found:
            return server, int(found.group(1))
    sys.exit("library serve ended before serving")


def stop(server: subprocess.Popen) -> None:
    server.terminate()
    server.wait(30)


def slow_clients(port: int, count: int, addresses: int) -> list[socket.socket]:
    opened = []
    for number in range(count):
        source = f"127.0.0.{2 + number % addresses}"
        try:
            connection = socket.create_connection(("127.0.0.1", port), timeout=2, source_address=(source, 0))
            connection.sendall(b"GET /fr/ HTTP/1.1\r\nHost: x\r\n")
        except OSError:
            continue  # refused or timed out: the server is full; the connection is not held
        opened.append(connection)
    return opened


def trickle(connections: list[socket.socket], stop: threading.Event) -> None:
    """A byte of a header on each connection every 3 s: never silent for waitress's idle timeout, never done."""
    while not stop.wait(3):
        for connection in connections:
            with contextlib.suppress(OSError):  # closed by the server
                connection.send(b"X")


def reader_times(port: int, reads: int, path: str = PAGE) -> list[float]:
    """Seconds to each whole page (inf when it did not come within 30 s)."""
    times = []
    for _read in range(reads):
        started = time.perf_counter()
        try:
            with urllib.request.urlopen(f"http://127.0.0.1:{port}/{path}", timeout=30) as response:
                response.read()
            times.append(time.perf_counter() - started)
        except OSError:
            times.append(float("inf"))
        time.sleep(0.1)
    return times


def percentile(values: list[float], share: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, round(share * (len(ordered) - 1)))]


def report(name: str, times: list[float]) -> None:
    came = [t for t in times if t != float("inf")]
    figures = (f"p50 {statistics.median(came) * 1000:.0f} ms, p95 {percentile(came, 0.95) * 1000:.0f} ms, "
               f"worst {max(came) * 1000:.0f} ms" if came else "none came")
    print(f"{name}: {len(came)} of {len(times)} pages within 30 s; {figures}")


def watch_channels(port: int, count: int) -> list[socket.socket]:
    opened = []
    for _tab in range(count):
        channel = socket.create_connection(("127.0.0.1", port), timeout=5)
        channel.sendall(b"GET /_watch/events HTTP/1.1\r\nHost: x\r\nAccept: text/event-stream\r\n\r\n")
        opened.append(channel)
    return opened


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--reads", type=int, default=20, help="pages read in each scenario")
    args = parser.parse_args()
    print(f"{platform.machine()}, {os.cpu_count()} cores, CPython {platform.python_version()}, "
          f"load average {os.getloadavg()[0]:.1f}")
    with tempfile.TemporaryDirectory() as temporary:
        folder = copy_project(Path(temporary))
        subprocess.run([sys.executable, "-m", "library", "--config", str(folder / "setup.cfg"), "build", "html"],
                       check=True, capture_output=True)
        for name, count, addresses in SCENARIOS:
            server, port = start_server(folder)
            try:
                held, stopped = slow_clients(port, count, addresses), threading.Event()
                trickling = threading.Thread(target=trickle, args=(held, stopped), daemon=True)
                trickling.start()
                time.sleep(0.5)
                report(name, reader_times(port, args.reads))
                stopped.set()
                trickling.join()
                for connection in held:
                    connection.close()
            finally:
                stop(server)
        server, port = start_server(folder, "--watch")
        try:
            tabs = watch_channels(port, 45)
            time.sleep(0.5)
            report("serve --watch, 45 preview tabs open", reader_times(port, args.reads))
            for tab in tabs:
                tab.close()
        finally:
            stop(server)


if __name__ == "__main__":
    main()
