"""Attacks that try to talk to the judge or the host: TCP, unix sockets, SysV shared memory."""
from __future__ import annotations

import ctypes
import socket
import threading

from hostile_lib import Attack, Context, errno_error

CONNECT_TIMEOUT_S = 0.3
IPC_CREAT = 0o1000
SHM_BYTES = 4096
STORM_CALLS = 30_000          # denied calls in a row; the judge answers each one


def tcp_connect(ctx: Context) -> bool:
    """Connect to the judge-side listener on 127.0.0.1 and send the token."""
    def connect() -> bool:
        with socket.create_connection(("127.0.0.1", ctx.args.port), timeout=CONNECT_TIMEOUT_S) as conn:
            conn.sendall(ctx.args.token.encode())
        return True
    if ctx.attempt("tcp-connect", connect):
        ctx.escaped("tcp-connect", f"connected to 127.0.0.1:{ctx.args.port}")
    return False


def listen_socket(ctx: Context) -> bool:
    """Listen on 127.0.0.1:--listen-port and answer anyone; the judge tries to connect from outside."""
    def listen() -> socket.socket:
        server = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
        server.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        server.bind(("127.0.0.1", ctx.args.listen_port))
        server.listen(8)
        return server
    server = ctx.attempt("listen", listen)
    if server is None:
        return False
    ctx.report("listen", "info", f"listening on 127.0.0.1:{ctx.args.listen_port} (in its own view)")
    thread = threading.Thread(target=serve, args=(ctx, server), daemon=True)
    thread.start()
    ctx.keep.extend((server, thread))
    return False


def serve(ctx: Context, server: socket.socket) -> None:
    while True:
        conn, peer = server.accept()
        ctx.escaped("accept", f"a connection from {peer}")
        conn.close()


def unix_connect(ctx: Context, step: str, address: str) -> None:
    def connect() -> bool:
        with socket.socket(socket.AF_UNIX, socket.SOCK_STREAM) as conn:
            conn.settimeout(CONNECT_TIMEOUT_S)
            conn.connect(address)
            conn.sendall(ctx.args.token.encode())
        return True
    if ctx.attempt(step, connect):
        ctx.escaped(step, f"connected to {address!r}")


def unix_socket_path(ctx: Context) -> bool:
    unix_connect(ctx, "unix-path", ctx.args.unix_path)
    return False


def unix_socket_abstract(ctx: Context) -> bool:
    unix_connect(ctx, "unix-abstract", "\0" + ctx.args.abstract)
    return False


def sysv_shm(ctx: Context) -> bool:
    """Read the judge's SysV segment, and leave one of its own behind (key + 1)."""
    libc = ctypes.CDLL(None, use_errno=True)
    libc.shmget.argtypes = (ctypes.c_int, ctypes.c_size_t, ctypes.c_int)
    libc.shmat.argtypes = (ctypes.c_int, ctypes.c_void_p, ctypes.c_int)
    libc.shmat.restype = ctypes.c_void_p
    found = libc.shmget(ctx.args.shm_key, 0, 0)
    if found < 0:
        ctx.blocked("shmget judge", errno_error(ctypes.get_errno()))
    else:
        address = libc.shmat(found, None, 0)
        leaked = ctypes.string_at(address, 64) if address not in (None, ctypes.c_void_p(-1).value) else b""
        ctx.escaped("shmget judge", f"attached the judge's segment {found}")
        ctx.leak("shm", leaked)
    own = libc.shmget(ctx.args.shm_key + 1, SHM_BYTES, IPC_CREAT | 0o666)
    if own < 0:
        ctx.blocked("shmget own", errno_error(ctypes.get_errno()))
    else:
        ctx.report("shmget own", "info", f"created segment {own}; the test checks it is not on the host")
    return False


def denied_syscall_storm(ctx: Context) -> bool:
    """Make the judge answer one denied call after another (socket: denied, not killed)."""
    denied = 0
    for _ in range(STORM_CALLS):
        try:
            socket.socket(socket.AF_INET, socket.SOCK_STREAM).close()
        except OSError:
            denied += 1
            continue
        ctx.escaped("socket", "a socket was created")
        return False
    ctx.report("storm", "info", f"{denied} denied calls and still running")
    return False


ATTACKS: dict[str, Attack] = {
    "tcp-connect": tcp_connect, "listen-socket": listen_socket, "unix-socket-path": unix_socket_path,
    "unix-socket-abstract": unix_socket_abstract, "sysv-shm": sysv_shm, "denied-syscall-storm": denied_syscall_storm,
}
