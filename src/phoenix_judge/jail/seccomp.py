"""Compile a syscall policy (jail.syscalls) to a seccomp BPF program, and load it.

libseccomp (through pyseccomp) compiles in the judge; the BPF is cached per
(runtime, pid) and loaded in the child by a raw seccomp(2) call with
SECCOMP_FILTER_FLAG_NEW_LISTENER. Every `deny` and `kill` decision, and every
non-native ABI, becomes SECCOMP_RET_USER_NOTIF: the judge's supervisor
(jail.notify) reads the syscall number and arguments, so it can name the call in
the verdict, count denials, and let exactly one execve through (the pinned program).
"""
from __future__ import annotations

import ctypes
import errno
import functools
import os
import tempfile

from .syscalls import OWN_PID, POLICIES, Action

SECCOMP_SET_MODE_FILTER = 1
SECCOMP_FILTER_FLAG_NEW_LISTENER = 1 << 3
SYS_SECCOMP = 317           # x86_64
AUDIT_ARCH_X86_64 = 0xC000003E
AUDIT_ARCH_I386 = 0x40000003
X32_SYSCALL_BIT = 0x40000000


class SeccompUnavailable(Exception):
    """Why seccomp cannot be used here (shown by `check-sandbox`)."""


def _pyseccomp():  # noqa: ANN202 - the module, imported late so a missing libseccomp is a reason, not a crash
    try:
        import pyseccomp  # noqa: PLC0415
    except (ImportError, RuntimeError) as exc:
        raise SeccompUnavailable(f"pyseccomp/libseccomp cannot be loaded: {exc}") from exc
    return pyseccomp


def action_value(action: Action) -> int:
    sc = _pyseccomp()
    return {Action.ALLOW: sc.ALLOW, Action.ENOSYS: sc.ERRNO(errno.ENOSYS)}.get(action, sc.NOTIFY)


@functools.lru_cache(maxsize=64)
def compile_bpf(runtime: str, own_pid: int) -> bytes:
    """The BPF program for `runtime`, with OWN_PID bound to `own_pid`."""
    sc = _pyseccomp()
    policy = POLICIES[runtime]
    program = sc.SyscallFilter(action_value(policy.default))
    program.set_attr(sc.Attr.ACT_BADARCH, sc.NOTIFY)       # i386 / other ABIs reach the supervisor
    for name, entry in policy.entries.items():
        _add_entry(program, sc, name, entry, own_pid)
    with tempfile.TemporaryFile() as out:
        program.export_bpf(out)
        out.seek(0)
        return out.read()


def _add_entry(program, sc, name: str, entry, own_pid: int) -> None:  # noqa: ANN001
    if sc.resolve_syscall(sc.Arch.X86_64, name) < 0:
        raise SeccompUnavailable(f"libseccomp does not know the system call {name!r}")
    default = action_value(entry.otherwise)
    for rule in entry.rules:
        value = action_value(rule.action)
        if value != default:
            program.add_rule(value, name, *(_arg(sc, arg, own_pid) for arg in rule.when))
    if default != action_value(Action.DENY):        # DENY/KILL is the filter's default (NOTIFY) already
        program.add_rule(default, name)


def _arg(sc, arg, own_pid: int):  # noqa: ANN001, ANN202
    value = own_pid if arg.value == OWN_PID else arg.value
    if arg.mask is None:
        return sc.Arg(arg.index, sc.EQ, value)
    return sc.Arg(arg.index, sc.MASKED_EQ, arg.mask, value)


class _SockFprog(ctypes.Structure):
    _fields_ = [("len", ctypes.c_ushort), ("filter", ctypes.c_char_p)]


_seccomp = ctypes.CFUNCTYPE(ctypes.c_long, ctypes.c_long, ctypes.c_long, ctypes.c_long, ctypes.POINTER(_SockFprog),
                            use_errno=True)(("syscall", ctypes.CDLL(None, use_errno=True)))


def load(bpf: bytes) -> int:
    """Install `bpf` on the calling thread; return the listener fd of its notifications.

    Needs no_new_privs (or CAP_SYS_ADMIN). Runs in the child, just before exec.
    """
    prog = _SockFprog(len(bpf) // 8, bpf)
    fd = _seccomp(SYS_SECCOMP, SECCOMP_SET_MODE_FILTER, SECCOMP_FILTER_FLAG_NEW_LISTENER, ctypes.byref(prog))
    if fd < 0:
        code = ctypes.get_errno()
        raise OSError(code, f"seccomp(SET_MODE_FILTER): {os.strerror(code)}")
    return fd


def syscall_name(arch: int, nr: int) -> str:
    """A readable name: `execve`, `i386 fork`, `x32 syscall 57`."""
    sc = _pyseccomp()
    if arch == AUDIT_ARCH_X86_64 and nr & X32_SYSCALL_BIT:
        return f"x32 {_lookup(sc, sc.Arch.X86_64, nr & ~X32_SYSCALL_BIT)}"
    if arch == AUDIT_ARCH_X86_64:
        return _lookup(sc, sc.Arch.X86_64, nr)
    if arch == AUDIT_ARCH_I386:
        return f"i386 {_lookup(sc, sc.Arch.X86, nr)}"
    return f"syscall {nr} of foreign ABI {arch:#x}"


def _lookup(sc, arch: int, nr: int) -> str:  # noqa: ANN001
    try:
        return sc.resolve_syscall(arch, nr).decode()
    except ValueError:
        return f"syscall {nr}"


NON_NATIVE = "a non-native system call ABI (i386 int 0x80 or x32)"


def decide(runtime: str, arch: int, nr: int, args: tuple[int, ...], own_pid: int) -> tuple[str, Action, str]:
    """What the supervisor does with a notification: the call's name, its action, and why."""
    name = syscall_name(arch, nr)
    if arch != AUDIT_ARCH_X86_64 or nr & X32_SYSCALL_BIT:
        return name, Action.KILL, NON_NATIVE
    policy = POLICIES[runtime]
    entry = policy.entries.get(name)
    return name, policy.decide(name, args, own_pid), entry.why if entry else "not on the allow-list"
