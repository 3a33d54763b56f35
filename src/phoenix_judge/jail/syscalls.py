"""The seccomp policy as data: per bot runtime, what each system call gets.

Four actions:
  allow   the call runs.
  enosys  fails with ENOSYS in the kernel, not counted: clone3, whose flags live in
          memory a filter cannot read; glibc then falls back to clone, whose flags it can.
  deny    fails with EPERM and is counted for the error log (the default).
  kill    the clearly hostile set: the bot is stopped with a security verdict naming the call.

A rule may test arguments (`Arg`): all must hold; the first matching rule of a call
wins, else its `otherwise`. `OWN_PID` stands for the bot's own pid (1 in its pid
namespace). Non-native ABIs (i386 `int 0x80`, x32) are always killed (jail.seccomp).
docs/sandbox.md renders these tables; tests/test_jail_policy.py keeps them honest.
"""
from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from enum import StrEnum


class Action(StrEnum):
    ALLOW = "allow"
    ENOSYS = "enosys"
    DENY = "deny"
    KILL = "kill"


OWN_PID = -1    # placeholder, replaced by the bot's pid when the filter is compiled


@dataclass(frozen=True, slots=True)
class Arg:
    """Argument `index` equals `value` (after `& mask`, when a mask is given)."""

    index: int
    value: int
    mask: int | None = None

    def matches(self, args: tuple[int, ...], own_pid: int) -> bool:
        value = own_pid if self.value == OWN_PID else self.value
        actual = args[self.index] if self.mask is None else args[self.index] & self.mask
        return actual == value


@dataclass(frozen=True, slots=True)
class Rule:
    action: Action
    when: tuple[Arg, ...] = ()


@dataclass(frozen=True, slots=True)
class Entry:
    """What one system call gets: the first rule whose arguments match, else `otherwise`."""

    otherwise: Action
    rules: tuple[Rule, ...] = ()
    why: str = ""

    def decide(self, args: tuple[int, ...], own_pid: int) -> Action:
        for rule in self.rules:
            if all(arg.matches(args, own_pid) for arg in rule.when):
                return rule.action
        return self.otherwise


@dataclass(frozen=True, slots=True)
class Policy:
    runtime: str
    entries: Mapping[str, Entry]
    default: Action = Action.DENY
    notes: tuple[str, ...] = field(default=())

    def decide(self, name: str, args: tuple[int, ...] = (0,) * 6, own_pid: int = 1) -> Action:
        entry = self.entries.get(name)
        return self.default if entry is None else entry.decide(args, own_pid)


# clone(2) flags. Only threads may be created: CLONE_THREAD|CLONE_VM|CLONE_SIGHAND set
# and no namespace flag; anything else (fork, vfork, posix_spawn, namespaces) is killed.
CLONE_VM, CLONE_SIGHAND, CLONE_THREAD = 0x100, 0x800, 0x10000
CLONE_NAMESPACES = 0x00020000 | 0x02000000 | 0x04000000 | 0x08000000 | 0x10000000 | 0x20000000 | 0x40000000
THREAD_FLAGS = CLONE_THREAD | CLONE_VM | CLONE_SIGHAND


def _allow(names: str, why: str = "") -> dict[str, Entry]:
    return {name: Entry(Action.ALLOW, why=why) for name in names.split()}


def _kill(names: str, why: str) -> dict[str, Entry]:
    return {name: Entry(Action.KILL, why=why) for name in names.split()}


def _own_process(first: str, why: str) -> dict[str, Entry]:
    """Signals only to the bot itself (`kill(0, ...)` is its own process group)."""
    entries = {first: Entry(Action.KILL, (Rule(Action.ALLOW, (Arg(0, 0),)), Rule(Action.ALLOW, (Arg(0, OWN_PID),))),
                            why)}
    for name in ("tgkill", "rt_tgsigqueueinfo"):
        entries[name] = Entry(Action.KILL, (Rule(Action.ALLOW, (Arg(0, OWN_PID),)),), why)
    entries["rt_sigqueueinfo"] = Entry(Action.KILL, (Rule(Action.ALLOW, (Arg(0, OWN_PID),)),), why)
    return entries


BASE: dict[str, Entry] = {
    **_allow("read write readv writev pread64 pwrite64 preadv preadv2 pwritev pwritev2 lseek close dup dup2 dup3 "
             "fcntl ioctl flock fsync fdatasync ftruncate truncate fallocate fadvise64 readahead sendfile "
             "copy_file_range splice tee", "I/O on the bot's own fds"),
    **_allow("open openat creat stat fstat lstat newfstatat statx statfs fstatfs access faccessat faccessat2 "
             "readlink readlinkat getdents getdents64 getcwd chdir fchdir mkdir mkdirat rmdir unlink unlinkat "
             "rename renameat renameat2 umask utimensat", "files: the minimal root only shows the bot's own"),
    **_allow("mmap munmap mprotect mremap madvise brk msync mincore mbind get_mempolicy set_mempolicy "
             "membarrier pkey_alloc pkey_free pkey_mprotect", "memory"),
    **_allow("futex futex_waitv set_robust_list get_robust_list set_tid_address rseq sched_yield "
             "sched_getaffinity sched_getparam sched_getscheduler sched_get_priority_max "
             "sched_get_priority_min gettid exit exit_group", "threads"),
    **_allow("rt_sigaction rt_sigprocmask rt_sigreturn rt_sigsuspend rt_sigpending rt_sigtimedwait sigaltstack "
             "pause alarm setitimer getitimer timer_create timer_settime timer_gettime timer_getoverrun "
             "timer_delete", "signals and timers"),
    **_allow("clock_gettime clock_getres clock_nanosleep nanosleep gettimeofday time times", "time"),
    **_allow("getpid getppid getuid geteuid getgid getegid getgroups getresuid getresgid getpgrp getpgid getsid "
             "getrusage getrlimit setrlimit capget getrandom uname sysinfo arch_prctl prctl getcpu "
             "restart_syscall seccomp wait4 waitid", "identity and process information (read-only)"),
    **_allow("poll ppoll select pselect6 epoll_create epoll_create1 epoll_ctl epoll_wait epoll_pwait epoll_pwait2 "
             "eventfd eventfd2 pipe pipe2 timerfd_create timerfd_settime timerfd_gettime signalfd signalfd4",
             "waiting: CPython opens an epoll fd at `import socket`"),
    "prlimit64": Entry(Action.DENY, (Rule(Action.ALLOW, (Arg(0, 0),)), Rule(Action.ALLOW, (Arg(0, OWN_PID),))),
                       "limits of another process: only its own (hard limits cannot be raised)"),
    "clone": Entry(Action.KILL, (Rule(Action.ALLOW, (Arg(0, THREAD_FLAGS, THREAD_FLAGS | CLONE_NAMESPACES),)),),
                   "process creation: only threads (CLONE_THREAD|CLONE_VM|CLONE_SIGHAND, no namespace flag) are allowed"),
    "clone3": Entry(Action.ENOSYS, why="its flags are in memory; glibc falls back to clone"),
    **_own_process("kill", "a signal to another process: only its own pid or process group"),
    **_kill("fork vfork", "process creation: only threads are allowed"),
    **_kill("execve execveat", "exec: only the judge's own first execve, of the pinned program, runs"),
    **_kill("ptrace process_vm_readv process_vm_writev kcmp", "inspecting or changing other processes"),
    **_kill("setuid setgid setreuid setregid setresuid setresgid setfsuid setfsgid setgroups capset",
            "the setuid family: credentials are fixed"),
    **_kill("mount umount2 unshare pivot_root setns chroot move_mount open_tree fsopen fsconfig fsmount fspick "
            "mount_setattr", "mounts and namespaces: the root is fixed"),
    **_kill("bpf io_uring_setup io_uring_enter io_uring_register keyctl add_key request_key userfaultfd "
            "perf_event_open", "kernel attack surface bots never need"),
    **_kill("tkill pidfd_send_signal pidfd_getfd", "signals or fds of tasks the filter cannot prove are its own"),
    **_kill("kexec_load kexec_file_load init_module finit_module delete_module reboot swapon swapoff acct iopl "
            "ioperm open_by_handle_at name_to_handle_at settimeofday clock_settime adjtimex clock_adjtime "
            "sethostname setdomainname syslog quotactl", "system administration"),
}

NODE_EXTRA: dict[str, Entry] = _allow("memfd_create", "V8 code space")

POLICIES: dict[str, Policy] = {
    "python3": Policy("python3", BASE),
    "native": Policy("native", BASE),
    "node": Policy("node", {**BASE, **NODE_EXTRA}),
}


def hostile(policy: Policy) -> list[str]:
    """Calls that are killed whatever their arguments."""
    return sorted(name for name, entry in policy.entries.items() if entry.otherwise is Action.KILL and not entry.rules)


def names_by_action(policy: Policy, action: Action) -> list[str]:
    return sorted(name for name, entry in policy.entries.items() if entry.otherwise is action and not entry.rules)


def conditional(policy: Policy) -> Iterable[tuple[str, Entry]]:
    return sorted((name, entry) for name, entry in policy.entries.items() if entry.rules)
