"""A jail probe bot: a real executable whose behaviour is picked by flags.

    --report            print one JSON line describing what the bot sees from inside
    --exit N            exit with code N
    --signal NAME       send itself a signal (ignored as pid 1 of a pid namespace, like init)
    --segfault          dereference NULL (a real fault: kills even a namespace init)
    --sleep S           sleep S seconds
    --ignore-term       ignore SIGTERM (before sleeping)
    --double-fork       leave a grandchild that ignores SIGTERM and sleeps
    --escape-session    the next --double-fork's grandchild also calls setsid()
    --burn              spin on the CPU forever
    --exec PATH         os.execv(PATH, [PATH])
    --fork              os.fork() (the child exits at once)
    --thread            start and join a thread
    --try WHAT ARG      attempt one operation and print {"try": WHAT, "ok": bool, "error": errno name}:
                        read, write, list, connect (127.0.0.1:ARG), kill (pid ARG), chmod, socket, mkdir
    --alloc MB          allocate and touch MB mebibytes
    --write-big MB      write MB mebibytes to big.bin in the cwd
Every action runs in the order given, then the bot exits 0.
"""
import ctypes
import json
import os
import resource
import signal
import sys
import time

PR_GET_NO_NEW_PRIVS = 39
PR_GET_PDEATHSIG = 2
RLIMITS = ("CPU", "AS", "NOFILE", "FSIZE", "CORE", "NPROC", "MEMLOCK")


def report() -> None:
    libc = ctypes.CDLL(None, use_errno=True)
    deathsig = ctypes.c_int(0)
    libc.prctl.argtypes = [ctypes.c_int, ctypes.c_void_p, ctypes.c_ulong, ctypes.c_ulong, ctypes.c_ulong]
    libc.prctl(PR_GET_PDEATHSIG, ctypes.byref(deathsig), 0, 0, 0)
    status = {}
    if os.path.exists("/proc/self/status"):
        for line in open("/proc/self/status"):
            key, _, value = line.partition(":")
            if key in ("CapEff", "CapBnd", "CapPrm", "Groups", "Seccomp", "NoNewPrivs"):
                status[key] = value.strip()
    fds = sorted(int(fd) for fd in os.listdir("/proc/self/fd")) if os.path.isdir("/proc/self/fd") else None
    caps = (ctypes.c_uint32 * 6)()
    header = (ctypes.c_uint32 * 2)(0x20080522, 0)      # _LINUX_CAPABILITY_VERSION_3, this process
    libc.capget(header, caps)
    print(json.dumps({
        "cwd": os.getcwd(), "env": dict(os.environ), "argv": sys.argv, "pid": os.getpid(),
        "sid": os.getsid(0), "pgid": os.getpgid(0), "uid": os.getuid(), "gid": os.getgid(),
        "groups": os.getgroups(), "rlimits": {name: resource.getrlimit(getattr(resource, "RLIMIT_" + name)) for name in RLIMITS},
        "no_new_privs": libc.prctl(PR_GET_NO_NEW_PRIVS, None, 0, 0, 0), "pdeathsig": deathsig.value,
        "status": status, "fds": fds, "flags": [sys.flags.ignore_environment, sys.flags.no_user_site,
                                               sys.flags.dont_write_bytecode, sys.flags.isolated],
        "path0": sys.path[0], "executable": sys.executable, "hostname": os.uname().nodename,
        "capabilities": sum(caps), "seccomp_mode": libc.prctl(21, None, 0, 0, 0), "root": sorted(os.listdir("/")),
    }), flush=True)


def double_fork(escape: bool) -> None:
    if os.fork() == 0:
        if escape:
            os.setsid()
        if os.fork() == 0:
            signal.signal(signal.SIGTERM, signal.SIG_IGN)
            print(json.dumps({"grandchild": os.getpid()}), flush=True)
            time.sleep(600)
        os._exit(0)
    os.wait()


def attempt(what: str, arg: str) -> None:
    import errno
    import socket
    import threading
    try:
        if what == "read":
            open(arg, "rb").read(1)
        elif what == "write":
            open(arg, "w").write("x")
        elif what == "list":
            os.listdir(arg)
        elif what == "connect":
            socket.create_connection(("127.0.0.1", int(arg)), timeout=2).close()
        elif what == "socket":
            socket.socket().close()
        elif what == "kill":
            os.kill(int(arg), 0)
        elif what == "chmod":
            os.chmod(arg, 0o777)
        elif what == "mkdir":
            os.mkdir(arg)
        result = {"try": what, "arg": arg, "ok": True, "error": None}
    except OSError as exc:
        result = {"try": what, "arg": arg, "ok": False, "error": errno.errorcode.get(exc.errno, str(exc))}
    print(json.dumps(result), flush=True)


def main(args: list[str]) -> None:
    escape = False
    while args:
        flag = args.pop(0)
        if flag == "--report":
            report()
        elif flag == "--exit":
            sys.exit(int(args.pop(0)))
        elif flag == "--signal":
            os.kill(os.getpid(), getattr(signal, "SIG" + args.pop(0)))
        elif flag == "--segfault":
            ctypes.string_at(0)
        elif flag == "--sleep":
            time.sleep(float(args.pop(0)))
        elif flag == "--ignore-term":
            signal.signal(signal.SIGTERM, signal.SIG_IGN)
        elif flag == "--double-fork":
            double_fork(escape)
        elif flag == "--escape-session":
            escape = True
        elif flag == "--burn":
            while True:
                pass
        elif flag == "--exec":
            path = args.pop(0)
            os.execv(path, [path])
        elif flag == "--fork":
            if os.fork() == 0:
                os._exit(0)
            os.wait()
        elif flag == "--thread":
            import threading
            worker = threading.Thread(target=sum, args=([1, 2],))
            worker.start()
            worker.join()
            print(json.dumps({"thread": "ok"}), flush=True)
        elif flag == "--try":
            attempt(args.pop(0), args.pop(0))
        elif flag == "--alloc":
            block = bytearray(int(args.pop(0)) * 1024 * 1024)
            for i in range(0, len(block), 4096):
                block[i] = 1
        elif flag == "--write-big":
            with open("big.bin", "wb") as out:
                out.write(b"x" * int(args.pop(0)) * 1024 * 1024)
        else:
            sys.exit(f"probe: unknown flag {flag}")


if __name__ == "__main__":
    main(sys.argv[1:])
