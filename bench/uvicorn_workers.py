"""uvicorn with ``--workers N`` that keeps TCP_NODELAY on every connection, for the benches.

uvicorn's multiprocess supervisor binds the listening socket itself (``Config.bind_socket``) and
leaves its ``proto`` at 0. Accepted sockets inherit it, and asyncio sets TCP_NODELAY only on
sockets whose ``proto`` is ``IPPROTO_TCP``: Nagle's algorithm stays on, and on a keep-alive
connection every response smaller than a segment (most pages on loopback) waits for the client's
delayed ACK, ~40 ms on Linux (uvicorn issue #3149, open for 0.54). The benches measured it: a
visitor's cached group page took 52 ms with ``--workers 2`` and 9 ms in one process.

The single-process paths that production uses (``deploy/systemd``, ``compose.yaml``,
``scripts/prod-like``: one process per port, asyncio builds the listener itself) are not
affected. Here the bound socket is wrapped again as a TCP socket (same file descriptor) before
the workers receive it; remove this file once uvicorn sets ``IPPROTO_TCP`` itself.

Usage: ``python bench/uvicorn_workers.py hub.asgi:application --workers 2 …`` (uvicorn's own
arguments).
"""

from __future__ import annotations

import socket
import sys

import uvicorn.config
import uvicorn.main

_bind_socket = uvicorn.config.Config.bind_socket


def bind_socket(self) -> socket.socket:
    """uvicorn's listening socket, with ``proto`` set to TCP so its connections get TCP_NODELAY."""
    sock = _bind_socket(self)
    if sock.family in (socket.AF_INET, socket.AF_INET6) and sock.proto != socket.IPPROTO_TCP:
        sock = socket.socket(sock.family, sock.type, socket.IPPROTO_TCP, fileno=sock.detach())
        sock.set_inheritable(True)
    return sock


uvicorn.config.Config.bind_socket = bind_socket

if __name__ == "__main__":
    sys.exit(uvicorn.main.main())
