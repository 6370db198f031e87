"""`cexpert serve`: the TUI in browsers, for a projector and students' laptops.

textual-serve runs one app process per browser (`python -m cexpert.tui.classroom`) and
relays it over a websocket; its page and scripts ship in its wheel, so no network is
needed. textual-serve has no authentication, so only `--demo` (the shipped teaching
cases, read-only: no client folder, nothing saved) may listen beyond this machine.
`--public-url` is the address students' browsers use: the page's websocket address
comes from it (behind a proxy or a port forward, the host and port differ from ours).
"""

from __future__ import annotations

import argparse
import shlex
import sys
from typing import Any

PROJECTOR_FONT_PX = 28  # readable from the back of a room at 80×24 on a 1080p projector


def add_parser(sub) -> None:
    serve = sub.add_parser("serve", help="serve the TUI to browsers (a classroom); "
                           "localhost only unless --demo")
    serve.add_argument("--host", default="127.0.0.1",
                       help="address to listen on (default 127.0.0.1; anything else "
                            "needs --demo)")
    serve.add_argument("--port", type=int, default=8000)
    serve.add_argument("--public-url", help="the URL browsers use to reach this server "
                       "(sets the page's websocket address), e.g. http://10.0.0.5:8000")
    serve.add_argument("--demo", action="store_true",
                       help="the shipped teaching cases, read-only: no client data, "
                            "nothing saved; may listen on the network")
    serve.add_argument("--projector", action="store_true",
                       help="high-contrast theme and large text for a projector")
    serve.add_argument("--clients", default="clients",
                       help="the folder of client case files (not with --demo)")
    serve.add_argument("--rules", action="append", help="knowledge base (not with --demo)")


def is_loopback(host: str) -> bool:
    """Does `host` only ever reach this machine? Names are resolved; all must be loopback."""
    import ipaddress  # here, not at the top: every command builds this parser
    import socket

    try:
        return ipaddress.ip_address(host.strip("[]")).is_loopback
    except ValueError:
        pass
    try:
        infos = socket.getaddrinfo(host, None)
    except OSError:
        return False
    return bool(infos) and all(ipaddress.ip_address(i[4][0].split("%")[0]).is_loopback
                               for i in infos)


def child_command(args: argparse.Namespace) -> str:
    """The shell command textual-serve runs for each browser."""
    parts = [sys.executable, "-m", "cexpert.tui.classroom"]
    if args.demo:
        parts.append("--demo")
    else:
        parts += ["--clients", args.clients]
        for rules in args.rules or ():
            parts += ["--rules", rules]
    if args.projector:
        parts.append("--projector")
    return shlex.join(parts)


def make_server(args: argparse.Namespace) -> Any:
    """The textual-serve Server (imported here: only `serve` needs aiohttp)."""
    import aiohttp_jinja2
    from textual_serve.server import Server

    font = PROJECTOR_FONT_PX if args.projector else None

    class ClassroomServer(Server):
        @aiohttp_jinja2.template("app_index.html")
        async def handle_index(self, request):
            context = await Server.handle_index.__wrapped__(self, request)
            if font is not None and "fontsize" not in request.query:
                context["font_size"] = font
            return context

    return ClassroomServer(child_command(args), host=args.host, port=args.port,
                           title="cexpert" + (" classroom" if args.demo else ""),
                           public_url=args.public_url)


def cmd_serve(args: argparse.Namespace) -> int:
    if args.demo and (args.rules or args.clients != "clients"):
        sys.stderr.write("error: --demo serves the shipped teaching cases only; "
                         "--rules and --clients cannot be used with it\n")
        return 2
    if not args.demo and not is_loopback(args.host):
        sys.stderr.write(f"error: refusing to serve client data on '{args.host}': "
                         "textual-serve has no authentication, so only this machine "
                         "(127.0.0.1, localhost) may connect; use --demo to serve the "
                         "teaching cases to a classroom\n")
        return 2
    if not 0 < args.port < 65536:
        sys.stderr.write(f"error: --port must be 1-65535, not {args.port}\n")
        return 2
    server = make_server(args)
    try:
        server.serve()
    except OSError as error:  # the port is taken, the address is not ours
        sys.stderr.write(f"error: cannot listen on {args.host}:{args.port}: "
                         f"{error.strerror or error}\n")
        return 2
    return 0
