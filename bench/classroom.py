"""What one browser session of `cexpert serve --demo` costs the server: memory and CPU.

    uv run python bench/classroom.py [--sessions N] [--actions K]

Starts `cexpert serve --demo`, opens N sessions the way a browser does (a websocket to
/ws; textual-serve starts one app process per session), and in each opens lesson 1 and
ticks K findings, one every 0.5 s, like a student working through a lesson. Reported per
app process: resident memory (RSS, after the lesson) and CPU seconds (start-up, the
lesson, then the share of a core while idle for 20 s), from /proc. The browser itself
runs on the student's laptop.
"""

from __future__ import annotations

import argparse
import asyncio
import os
import signal
import socket
import statistics
import subprocess
import sys
import time
from pathlib import Path

import aiohttp

TICK = os.sysconf("SC_CLK_TCK")
IDLE_S = 20


def cpu_seconds(pid: int) -> float:
    fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / TICK  # utime + stime


def rss_mb(pid: int) -> float:
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith("VmRSS:"):
            return int(line.split()[1]) / 1024
    return 0.0


def app_processes(server: int) -> list[int]:
    """The app processes under the server (textual-serve starts them through a shell)."""
    out = subprocess.run(["ps", "-eo", "pid,pgid,args"], capture_output=True, text=True)
    return [int(line.split()[0]) for line in out.stdout.splitlines()[1:]
            if int(line.split()[1]) == server and "cexpert.tui.classroom" in line
            and "/bin/sh" not in line]


async def session(port: int, actions: int, ready: asyncio.Event, done: asyncio.Event,
                  received: list[int]) -> None:
    """One browser: connect, wait for the go, open lesson 1, tick; `received` counts bytes."""
    async with aiohttp.ClientSession() as client, client.ws_connect(
            f"ws://127.0.0.1:{port}/ws?width=80&height=24") as ws:
        async def read() -> None:
            while not ws.closed:
                message = await ws.receive()
                if message.type in (aiohttp.WSMsgType.BINARY, aiohttp.WSMsgType.TEXT):
                    received[0] += len(message.data)

        reader = asyncio.create_task(read())
        await ready.wait()
        await ws.send_json(["stdin", "\r"])  # open lesson 1
        await asyncio.sleep(2)
        for n in range(actions):
            await ws.send_json(["stdin", " " if n % 2 == 0 else "\x1b[B"])  # tick, down
            await asyncio.sleep(0.5)
        await done.wait()
        reader.cancel()


async def run(port: int, server: int, sessions: int, actions: int) -> dict:
    ready, done = asyncio.Event(), asyncio.Event()
    received = [[0] for _ in range(sessions)]
    tasks = [asyncio.create_task(session(port, actions, ready, done, counter))
             for counter in received]
    deadline = time.monotonic() + 300
    while time.monotonic() < deadline and (  # every app has drawn its first screen
            len(app_processes(server)) < sessions or min(c[0] for c in received) < FIRST_SCREEN):
        await asyncio.sleep(0.5)
    await _quiet(received)
    pids = app_processes(server)
    started = {p: cpu_seconds(p) for p in pids}
    ready.set()
    await asyncio.sleep(2 + actions * 0.5)
    await _quiet(received)  # the last consultation and redraw are done
    lesson = {p: cpu_seconds(p) for p in pids}
    await asyncio.sleep(IDLE_S)
    idle = {p: cpu_seconds(p) for p in pids}
    memory = {p: rss_mb(p) for p in pids}
    done.set()
    failed = [r for r in await asyncio.gather(*tasks, return_exceptions=True) if r]
    if failed:
        raise SystemExit(f"{len(failed)} sessions failed: {failed[0]!r}")
    return {"pids": pids, "start_cpu": started, "lesson_cpu": lesson, "idle_cpu": idle,
            "rss": memory, "bytes": sum(c[0] for c in received)}


FIRST_SCREEN = 8 * 1024  # bytes of terminal output: the Lessons screen has been drawn


async def _quiet(received: list[list[int]], for_s: float = 3.0) -> None:
    """Wait until no session has received anything for `for_s` seconds (at most 120 s)."""
    deadline = time.monotonic() + 120
    last, since = None, time.monotonic()
    while time.monotonic() < deadline:
        now = [c[0] for c in received]
        if now != last:
            last, since = now, time.monotonic()
        elif time.monotonic() - since >= for_s:
            return
        await asyncio.sleep(0.25)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--sessions", type=int, default=4)
    parser.add_argument("--actions", type=int, default=10)
    args = parser.parse_args()
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    server = subprocess.Popen([sys.executable, "-m", "cexpert.cli", "serve", "--demo",
                               "--port", str(port)], stdout=subprocess.DEVNULL,
                              stderr=subprocess.DEVNULL, start_new_session=True)
    try:
        deadline = time.monotonic() + 60
        while time.monotonic() < deadline:
            try:
                socket.create_connection(("127.0.0.1", port), timeout=0.5).close()
                break
            except OSError:
                time.sleep(0.3)
        server_rss = rss_mb(server.pid)
        data = asyncio.run(run(port, server.pid, args.sessions, args.actions))
    finally:
        os.killpg(server.pid, signal.SIGTERM)
        server.wait(timeout=20)
    pids = data["pids"]
    start = [data["start_cpu"][p] for p in pids]
    lesson = [data["lesson_cpu"][p] - data["start_cpu"][p] for p in pids]
    idle = [data["idle_cpu"][p] - data["lesson_cpu"][p] for p in pids]
    rss = [data["rss"][p] for p in pids]
    print(f"sessions: {len(pids)}, {args.actions} actions each, one every 0.5 s")
    print(f"server process: {server_rss:.0f} MB RSS")
    print(f"per session RSS MB: median {statistics.median(rss):.0f}, max {max(rss):.0f}")
    print(f"per session CPU s: start-up {statistics.median(start):.2f}, "
          f"lesson {statistics.median(lesson):.2f} ({statistics.median(lesson) / args.actions:.3f}"
          f" per action), idle {statistics.median(idle) / IDLE_S * 100:.1f}% of a core")
    print(f"websocket output: {data['bytes'] / len(pids) / 1024:.0f} KiB per session")


if __name__ == "__main__":
    main()
