/* The hostile C bot of Phoenix's hostile-bot suite: what only native code can try.
 *
 *     ./hostile_c --do int80-fork --token T [--at 2]
 *
 * A tiny sky shim: "ready" on hello, the first legal Connect Four column for
 * every state, exit on end. At the first state whose turn id is >= --at it runs
 * the attack --do, reports what it saw on stderr as the Python hostile bot does
 * (HOSTILE {"behaviour", "step", "outcome", "detail"}), and plays on if it can.
 * The test compiles it with gcc (statically when libc.a is there).
 */
#define _GNU_SOURCE
#include <errno.h>
#include <linux/if_ether.h>
#include <linux/sched.h>
#include <netinet/in.h>
#include <sched.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <unistd.h>

#define LINE_MAX_BYTES (1 << 20)
#define BOMB_DOUBLINGS 8
#define MEMORY_CHUNK (16L << 20)
#define X32_SYSCALL_BIT 0x40000000L
#define I386_FORK 2L
#define X86_64_FORK 57L

static const char *behaviour = "";
static char line[LINE_MAX_BYTES];

static void report(const char *step, const char *outcome, const char *detail) {
    fprintf(stderr, "HOSTILE {\"behaviour\": \"%s\", \"step\": \"%s\", \"outcome\": \"%s\", \"detail\": \"%s\"}\n",
            behaviour, step, outcome, detail);
    fflush(stderr);
}

static void report_errno(const char *step, long error) {
    report(step, "blocked", strerrorname_np((int)error) ? strerrorname_np((int)error) : "unknown errno");
}

static void sleep_forever(void) {
    for (;;) pause();
}

/* A forked child must never touch the protocol: it only waits to be killed. */
static void after_fork(long pid, const char *step) {
    if (pid == 0) sleep_forever();
    if (pid > 0) report(step, "escaped", "a child process was created");
    else report_errno(step, -pid);
}

static int fork_bomb(void) {
    pid_t original = getpid();
    for (int round = 0; round < BOMB_DOUBLINGS; round++) {
        if (fork() < 0) {
            if (getpid() == original) report_errno("fork", errno);
            if (round == 0 && getpid() == original) return 0;
            break;
        }
    }
    if (getpid() == original) report("fork", "escaped", "forked");
    sleep_forever();
    return 1;
}

__attribute__((noreturn)) static int memory_bomb(void) {
    for (;;) {
        char *chunk = malloc(MEMORY_CHUNK);
        if (chunk == NULL) {
            report("malloc", "blocked", "out of address space");
            exit(1);
        }
        memset(chunk, 0xa5, MEMORY_CHUNK);
    }
}

__attribute__((noreturn)) static int spin_ignore_signals(void) {
    int ignored[] = {SIGTERM, SIGXCPU, SIGINT, SIGHUP, SIGUSR1, SIGUSR2, SIGALRM, SIGXFSZ};
    for (size_t i = 0; i < sizeof ignored / sizeof ignored[0]; i++) signal(ignored[i], SIG_IGN);
    volatile unsigned long spins = 0;
    for (;;) spins++;
}

/* fork through the i386 entry point: a filter that checks only x86_64 numbers misses it. */
static int int80_fork(void) {
    long result;
    __asm__ volatile("int $0x80" : "=a"(result) : "a"(I386_FORK) : "memory", "r8", "r9", "r10", "r11");
    after_fork(result, "int 0x80 fork");
    return 0;
}

/* fork through the x32 ABI: the same number with bit 30 set. */
static int x32_fork(void) {
    long result;
    __asm__ volatile("syscall" : "=a"(result) : "a"(X32_SYSCALL_BIT | X86_64_FORK) : "rcx", "r11", "memory");
    after_fork(result, "x32 fork");
    return 0;
}

static int raw_socket(void) {
    int inet = socket(AF_INET, SOCK_RAW, IPPROTO_ICMP);
    if (inet >= 0) report("socket(AF_INET, SOCK_RAW)", "escaped", "a raw IP socket");
    else report_errno("socket(AF_INET, SOCK_RAW)", errno);
    int packet = socket(AF_PACKET, SOCK_RAW, htons(ETH_P_ALL));
    if (packet >= 0) report("socket(AF_PACKET, SOCK_RAW)", "escaped", "a packet socket");
    else report_errno("socket(AF_PACKET, SOCK_RAW)", errno);
    return 0;
}

/* In the parent, after a libc-style fork (-1 and errno on failure): a child is an escape. */
static void reap_child(long pid, const char *step) {
    if (pid > 0) {
        waitpid((pid_t)pid, NULL, 0);
        report(step, "escaped", "a child process was created");
    } else {
        report_errno(step, errno);
    }
}

/* clone(2) straight into a new user namespace (no glibc wrapper involved). */
static int clone_newuser(void) {
    long pid = syscall(SYS_clone, (long)(CLONE_NEWUSER | SIGCHLD), 0L, 0L, 0L, 0L);
    if (pid == 0) _exit(0);
    reap_child(pid, "clone(CLONE_NEWUSER)");
    return 0;
}

static int vfork_attack(void) {
    pid_t pid = vfork();
    if (pid == 0) _exit(0);
    reap_child(pid, "vfork");
    return 0;
}

/* clone3 keeps its flags in memory, where a seccomp filter cannot look: it must fail (ENOSYS). */
static int clone3_fork(void) {
    struct clone_args args;
    memset(&args, 0, sizeof args);
    args.exit_signal = SIGCHLD;
    long pid = syscall(SYS_clone3, &args, sizeof args);
    if (pid == 0) syscall(SYS_exit, 0);
    reap_child(pid, "clone3");
    return 0;
}

struct attack {
    const char *name;
    int (*run)(void);   /* returns 1 when it answered the turn itself (or never will) */
};

static const struct attack attacks[] = {
    {"fork-bomb", fork_bomb},   {"memory-bomb", memory_bomb}, {"spin-ignore-signals", spin_ignore_signals},
    {"int80-fork", int80_fork}, {"x32-fork", x32_fork},       {"raw-socket", raw_socket},
    {"clone-newuser", clone_newuser}, {"vfork", vfork_attack},     {"clone3", clone3_fork},
};

static const struct attack *find_attack(const char *name) {
    for (size_t i = 0; i < sizeof attacks / sizeof attacks[0]; i++)
        if (strcmp(attacks[i].name, name) == 0) return &attacks[i];
    return NULL;
}

/* The integer after `key` in a compact JSON line, or -1. */
static long number_after(const char *text, const char *key) {
    const char *at = strstr(text, key);
    return at ? strtol(at + strlen(key), NULL, 10) : -1;
}

static void send_line(const char *text) {
    fputs(text, stdout);
    fflush(stdout);
}

/* Answer one state line: attack first if its turn has come, then the first legal column. */
static void answer(const struct attack *attack, long at, int *fired) {
    long turn = number_after(line, "\"turn\":");
    int answered = 0;
    if (!*fired && turn >= at) {
        *fired = 1;
        answered = attack->run();
    }
    if (!answered) {
        char move[128];
        snprintf(move, sizeof move, "{\"type\":\"move\",\"turn\":%ld,\"move\":%ld}\n", turn,
                 number_after(line, "\"legal\":["));
        send_line(move);
    }
}

int main(int argc, char **argv) {
    long at = 2;
    for (int i = 1; i + 1 < argc; i += 2) {
        if (strcmp(argv[i], "--do") == 0) behaviour = argv[i + 1];
        else if (strcmp(argv[i], "--at") == 0) at = strtol(argv[i + 1], NULL, 10);
    }
    const struct attack *attack = find_attack(behaviour);
    if (attack == NULL) {
        fprintf(stderr, "hostile_c: unknown --do %s\n", behaviour);
        return 2;
    }
    int fired = 0;
    while (fgets(line, sizeof line, stdin) != NULL) {
        if (strstr(line, "\"type\":\"hello\"")) send_line("{\"type\":\"ready\",\"sky\":1,\"name\":\"hostile_c\"}\n");
        if (strstr(line, "\"type\":\"end\"")) return 0;
        if (strstr(line, "\"type\":\"state\"")) answer(attack, at, &fired);
    }
    return 0;
}
