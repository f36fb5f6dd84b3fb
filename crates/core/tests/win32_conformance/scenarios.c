/*
 * The OS side of the Win32 conformance check (scripts/conformance-win32): runs the scenarios
 * of scenarios.txt on a real Win32 named mutex and prints one line per step, in the format of
 * the model side (crates/core/tests/win32_conformance/model.rs, `table_line`), so the two
 * tables diff line by line.
 *
 * Build: x86_64-w64-mingw32-gcc -O2 -Wall -Wextra -static -o scenarios.exe scenarios.c
 * Run:   wine scenarios.exe scenarios.txt     (or scenarios.exe scenarios.txt on Windows)
 *
 * How a scenario runs: the driver (this process's main thread) creates the mutex with
 * CreateMutexW under a fresh name and never waits on it itself; it starts the scenario's
 * actors, then sends each step to its actor and prints the reply. Every actor opens the mutex
 * by name (CreateMutexW, as a second program would) and serves commands from a pipe, one
 * line in, one line out: a thread actor is a thread of this process, a process actor is a
 * child process of this same exe (argument --actor) whose stdin and stdout are the pipes.
 * Ownership is per thread, so each actor is exactly one thread that owns or does not.
 *
 * Nothing blocks for good: every wait has the finite timeout the scenario gives, and the
 * driver reads each reply with a deadline (it prints `no-reply` when one passes). Children are
 * in a job object that kills them if the driver dies.
 *
 * Exit status: 0 when every step got an answer, 1 when some did not, 2 on a harness error.
 */
#define WIN32_LEAN_AND_MEAN
#include <windows.h>
#include <fcntl.h>
#include <io.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define MAX_ACTORS 8
#define MAX_STEPS 64
#define MAX_SCENARIOS 64
#define LINE 256

/* How long a begun wait gets to return before the driver calls it blocked, and how much
 * longer than a wait's own timeout the driver waits for any reply: far above what a
 * step takes, so only a call that hangs reaches it. */
#define BLOCKED_AFTER_MS 100
#define REPLY_SLACK_MS 10000

enum kind { THREAD, PROCESS };

struct step {
    int actor;
    char op[16];
    unsigned ms;
    int has_ms;
};

struct scenario {
    char name[128];
    int actors;
    char actor_name[MAX_ACTORS][8];
    enum kind actor_kind[MAX_ACTORS];
    int steps;
    struct step step[MAX_STEPS];
};

static struct scenario scenarios[MAX_SCENARIOS];
static int scenario_count;

static void die(const char *what, const char *detail) {
    fprintf(stderr, "scenarios: %s%s%s\n", what, detail ? ": " : "", detail ? detail : "");
    exit(2);
}

/* ---- the scenario file (the grammar of model.rs's `parse`; that side reports bad lines in
 * detail, this one only refuses them) ---- */

static void parse(const char *path) {
    FILE *file = fopen(path, "r");
    char raw[LINE];
    int line = 0;
    if (!file)
        die("cannot open", path);
    while (fgets(raw, sizeof raw, file)) {
        char *hash = strchr(raw, '#'), *arrow, *word[4] = {0};
        int words = 0;
        struct scenario *s = scenario_count ? &scenarios[scenario_count - 1] : NULL;
        line++;
        if (hash)
            *hash = 0;
        arrow = strstr(raw, "->");
        if (arrow)
            *arrow = 0; /* the documented result: the model's test checks it, not this side */
        for (char *w = strtok(raw, " \t\r\n"); w && words < 4; w = strtok(NULL, " \t\r\n"))
            word[words++] = w;
        if (words == 0)
            continue;
        if (words == 2 && strcmp(word[0], "scenario") == 0) {
            if (scenario_count == MAX_SCENARIOS)
                die("too many scenarios", NULL);
            s = &scenarios[scenario_count++];
            snprintf(s->name, sizeof s->name, "%s", word[1]);
            continue;
        }
        if (!s)
            die("a line before the first scenario", NULL);
        if (!arrow && words == 2 && (!strcmp(word[0], "thread") || !strcmp(word[0], "process"))) {
            if (s->actors == MAX_ACTORS)
                die("too many actors in", s->name);
            snprintf(s->actor_name[s->actors], sizeof s->actor_name[0], "%s", word[1]);
            s->actor_kind[s->actors++] = word[0][0] == 't' ? THREAD : PROCESS;
            continue;
        }
        if (!arrow || words < 2 || s->steps == MAX_STEPS)
            die("a malformed step in", s->name);
        struct step *st = &s->step[s->steps++];
        st->actor = -1;
        for (int a = 0; a < s->actors; a++)
            if (!strcmp(s->actor_name[a], word[0]))
                st->actor = a;
        if (st->actor < 0)
            die("a step by an undeclared actor in", s->name);
        snprintf(st->op, sizeof st->op, "%s", word[1]);
        st->has_ms = words == 3;
        st->ms = st->has_ms ? (unsigned)strtoul(word[2], NULL, 10) : 0;
    }
    fclose(file);
}

/* ---- pipes: one line each way ---- */

static int write_line(HANDLE pipe, const char *text) {
    char buffer[LINE];
    DWORD written;
    int length = snprintf(buffer, sizeof buffer, "%s\n", text);
    return WriteFile(pipe, buffer, (DWORD)length, &written, NULL) && written == (DWORD)length;
}

/* Reads one line, blocking (the actor side: its driver always sends one). 0 at end of file. */
static int read_line(HANDLE pipe, char *line) {
    int length = 0;
    for (;;) {
        char c;
        DWORD got;
        if (!ReadFile(pipe, &c, 1, &got, NULL) || got == 0)
            return 0;
        if (c == '\n')
            break;
        if (length < LINE - 1)
            line[length++] = c;
    }
    line[length] = 0;
    return 1;
}

/* Whether a reply is waiting in `pipe`, without blocking. */
static int reply_ready(HANDLE pipe) {
    DWORD available = 0;
    return PeekNamedPipe(pipe, NULL, 0, NULL, &available, NULL) && available > 0;
}

/* Reads one line with a deadline (the driver side), polling so that it never blocks for
 * good. 0 when the deadline passes or the actor is gone. */
static int read_reply(HANDLE pipe, char *line, DWORD timeout_ms) {
    DWORD start = GetTickCount();
    while (!reply_ready(pipe)) {
        DWORD available;
        if (GetTickCount() - start > timeout_ms || !PeekNamedPipe(pipe, NULL, 0, NULL, &available, NULL))
            return 0;
        Sleep(1);
    }
    return read_line(pipe, line);
}

/* ---- the actor: serves commands on one mutex until told to stop ---- */

static const char *wait_name(DWORD result, char *buffer) {
    switch (result) {
    case WAIT_OBJECT_0: return "WAIT_OBJECT_0";
    case WAIT_ABANDONED: return "WAIT_ABANDONED";
    case WAIT_TIMEOUT: return "WAIT_TIMEOUT";
    case WAIT_FAILED: sprintf(buffer, "WAIT_FAILED(%lu)", GetLastError()); return buffer;
    default: sprintf(buffer, "wait(0x%lx)", result); return buffer;
    }
}

/* Commands: `open NAME` (the mutex's name, ASCII), `wait MS`, `release`, `exit-thread`
 * (return: the calling thread ends), `ExitThread` (the calling thread calls it),
 * `exit-process`, `quit`. */
static void serve(HANDLE in, HANDLE out) {
    char command[LINE], buffer[64];
    HANDLE mutex = NULL;
    while (read_line(in, command)) {
        const char *reply = buffer;
        if (!strncmp(command, "open ", 5)) {
            WCHAR name[LINE];
            MultiByteToWideChar(CP_ACP, 0, command + 5, -1, name, LINE);
            mutex = CreateMutexW(NULL, FALSE, name);
            if (mutex && GetLastError() == ERROR_ALREADY_EXISTS)
                reply = "opened";
            else
                sprintf(buffer, "open failed (%lu)", GetLastError());
        } else if (!strncmp(command, "wait ", 5)) {
            reply = wait_name(WaitForSingleObject(mutex, (DWORD)strtoul(command + 5, NULL, 10)), buffer);
        } else if (!strcmp(command, "release")) {
            if (ReleaseMutex(mutex))
                reply = "TRUE";
            else if (GetLastError() == ERROR_NOT_OWNER)
                reply = "ERROR_NOT_OWNER";
            else
                sprintf(buffer, "FALSE(%lu)", GetLastError());
        } else if (!strcmp(command, "exit-thread")) {
            return; /* holding what it holds: the thread's end is the step */
        } else if (!strcmp(command, "ExitThread")) {
            ExitThread(0); /* holding what it holds, and its handle to the mutex */
        } else if (!strcmp(command, "exit-process")) {
            ExitProcess(0);
        } else if (!strcmp(command, "quit")) {
            break;
        } else {
            sprintf(buffer, "unknown command");
        }
        if (!write_line(out, reply))
            break;
    }
    if (mutex)
        CloseHandle(mutex);
}

/* ---- the driver ---- */

struct actor {
    HANDLE handle;      /* the thread, or the child process */
    HANDLE to, from;    /* the driver's ends of the command and reply pipes */
    HANDLE their_in, their_out;
    int ended;
    unsigned begun_ms;  /* the timeout of a begun wait, while one is begun */
};

static DWORD WINAPI actor_thread(LPVOID argument) {
    struct actor *actor = argument;
    serve(actor->their_in, actor->their_out);
    return 0;
}

static HANDLE job;

static void make_pipes(struct actor *actor, BOOL inheritable) {
    SECURITY_ATTRIBUTES security = {sizeof security, NULL, inheritable};
    if (!CreatePipe(&actor->their_in, &actor->to, &security, 0) ||
        !CreatePipe(&actor->from, &actor->their_out, &security, 0))
        die("CreatePipe failed", NULL);
    /* Only the child's ends may be inherited, or a later child would hold the driver's. */
    SetHandleInformation(actor->to, HANDLE_FLAG_INHERIT, 0);
    SetHandleInformation(actor->from, HANDLE_FLAG_INHERIT, 0);
}

static void start_actor(struct actor *actor, enum kind kind, const char *mutex_name) {
    char reply[LINE], command[LINE];
    memset(actor, 0, sizeof *actor);
    make_pipes(actor, kind == PROCESS);
    if (kind == THREAD) {
        actor->handle = CreateThread(NULL, 0, actor_thread, actor, 0, NULL);
        if (!actor->handle)
            die("CreateThread failed", NULL);
    } else {
        WCHAR exe[MAX_PATH], command_line[MAX_PATH + 32];
        STARTUPINFOW startup = {0};
        PROCESS_INFORMATION info;
        GetModuleFileNameW(NULL, exe, MAX_PATH);
        swprintf(command_line, MAX_PATH + 32, L"\"%ls\" --actor", exe);
        startup.cb = sizeof startup;
        startup.dwFlags = STARTF_USESTDHANDLES;
        startup.hStdInput = actor->their_in;
        startup.hStdOutput = actor->their_out;
        startup.hStdError = GetStdHandle(STD_ERROR_HANDLE);
        if (!CreateProcessW(exe, command_line, NULL, NULL, TRUE, 0, NULL, NULL, &startup, &info))
            die("CreateProcessW failed", NULL);
        if (job)
            AssignProcessToJobObject(job, info.hProcess);
        CloseHandle(info.hThread);
        actor->handle = info.hProcess;
        /* The child has its ends now; without closing ours, its death would not end the pipe. */
        CloseHandle(actor->their_in);
        CloseHandle(actor->their_out);
        actor->their_in = actor->their_out = NULL;
    }
    snprintf(command, sizeof command, "open %s", mutex_name);
    /* A child process under Wine can take a while to start: a generous deadline. */
    if (!write_line(actor->to, command) || !read_reply(actor->from, reply, 30000) || strcmp(reply, "opened"))
        die("an actor could not open the mutex", reply);
}

/* Waits for an actor's thread or process to be gone: `ended`, or `running`. */
static const char *await_end(struct actor *actor) {
    actor->ended = 1;
    return WaitForSingleObject(actor->handle, REPLY_SLACK_MS) == WAIT_OBJECT_0 ? "ended" : "running";
}

/* Runs one step; its result goes to `result`. Returns 0 when the actor gave no answer. */
static int run_step(struct actor *actor, const struct step *step, char *result) {
    char command[LINE];
    const char *op = step->op;
    if (!strcmp(op, "wait") || !strcmp(op, "release")) {
        if (!strcmp(op, "wait"))
            snprintf(command, sizeof command, "wait %u", step->ms);
        else
            snprintf(command, sizeof command, "release");
        return write_line(actor->to, command) && read_reply(actor->from, result, step->ms + REPLY_SLACK_MS);
    }
    if (!strcmp(op, "begin-wait")) {
        snprintf(command, sizeof command, "wait %u", step->ms);
        if (!write_line(actor->to, command))
            return 0;
        actor->begun_ms = step->ms;
        Sleep(BLOCKED_AFTER_MS);
        strcpy(result, reply_ready(actor->from) ? "returned" : "blocked");
        return 1;
    }
    if (!strcmp(op, "end-wait"))
        return read_reply(actor->from, result, actor->begun_ms + REPLY_SLACK_MS);
    if (!strcmp(op, "exit-thread") || !strcmp(op, "ExitThread") || !strcmp(op, "exit-process")) {
        if (!write_line(actor->to, op))
            return 0;
        strcpy(result, await_end(actor));
        return 1;
    }
    if (!strcmp(op, "kill-thread")) {
        if (!TerminateThread(actor->handle, 1))
            sprintf(result, "TerminateThread failed (%lu)", GetLastError());
        else
            strcpy(result, await_end(actor));
        return 1;
    }
    if (!strcmp(op, "terminate")) {
        if (!TerminateProcess(actor->handle, 1))
            sprintf(result, "TerminateProcess failed (%lu)", GetLastError());
        else
            strcpy(result, await_end(actor));
        return 1;
    }
    sprintf(result, "unknown operation %s", op);
    return 1;
}

/* Ends a scenario's actors that are still there: `quit`, then force if they do not go. */
static void stop_actor(struct actor *actor, enum kind kind) {
    if (!actor->ended) {
        write_line(actor->to, "quit");
        if (WaitForSingleObject(actor->handle, REPLY_SLACK_MS) != WAIT_OBJECT_0) {
            fprintf(stderr, "scenarios: an actor did not stop; forcing it\n");
            if (kind == PROCESS)
                TerminateProcess(actor->handle, 1);
        }
    }
    HANDLE handles[] = {actor->handle, actor->to, actor->from, actor->their_in, actor->their_out};
    for (size_t i = 0; i < sizeof handles / sizeof handles[0]; i++)
        if (handles[i])
            CloseHandle(handles[i]);
}

static int run_scenario(int index) {
    const struct scenario *s = &scenarios[index];
    struct actor actors[MAX_ACTORS];
    char mutex_name[64], result[LINE];
    WCHAR wide_name[64];
    int answered = 1;
    snprintf(mutex_name, sizeof mutex_name, "Local\\mutexcheck-%lu-%d", GetCurrentProcessId(), index);
    MultiByteToWideChar(CP_ACP, 0, mutex_name, -1, wide_name, 64);
    /* The driver's handle keeps the mutex alive while actors come and go. */
    HANDLE mutex = CreateMutexW(NULL, FALSE, wide_name);
    if (!mutex || GetLastError() == ERROR_ALREADY_EXISTS)
        die("could not create a fresh mutex", mutex_name);
    for (int a = 0; a < s->actors; a++)
        start_actor(&actors[a], s->actor_kind[a], mutex_name);
    for (int i = 0; i < s->steps && answered; i++) {
        const struct step *step = &s->step[i];
        char op[32];
        answered = run_step(&actors[step->actor], step, result);
        if (!answered)
            strcpy(result, "no-reply");
        if (step->has_ms)
            snprintf(op, sizeof op, "%s %u", step->op, step->ms);
        else
            snprintf(op, sizeof op, "%s", step->op);
        /* model.rs `table_line`: step, actor, operation, result, scenario. */
        printf("%3d  %-3s %-15s %-16s %s\n", i + 1, s->actor_name[step->actor], op, result, s->name);
        fflush(stdout);
    }
    for (int a = 0; a < s->actors; a++)
        stop_actor(&actors[a], s->actor_kind[a]);
    CloseHandle(mutex);
    return answered;
}

/* The Wine version, from ntdll's wine_get_version, or NULL on Windows. */
static const char *wine_version(void) {
    typedef const char *(CDECL * version_fn)(void);
    HMODULE ntdll = GetModuleHandleW(L"ntdll.dll");
    version_fn version = ntdll ? (version_fn)(void (*)(void))GetProcAddress(ntdll, "wine_get_version") : NULL;
    return version ? version() : NULL;
}

int main(int argc, char **argv) {
    if (argc == 2 && !strcmp(argv[1], "--actor")) {
        serve(GetStdHandle(STD_INPUT_HANDLE), GetStdHandle(STD_OUTPUT_HANDLE));
        return 0;
    }
    if (argc != 2)
        die("usage: scenarios.exe SCENARIOS.txt", NULL);
    parse(argv[1]);
    /* "\n", not "\r\n": the table is diffed byte for byte with the model's. */
    _setmode(_fileno(stdout), _O_BINARY);
    job = CreateJobObjectW(NULL, NULL);
    if (job) {
        JOBOBJECT_EXTENDED_LIMIT_INFORMATION limits = {0};
        limits.BasicLimitInformation.LimitFlags = JOB_OBJECT_LIMIT_KILL_ON_JOB_CLOSE;
        SetInformationJobObject(job, JobObjectExtendedLimitInformation, &limits, sizeof limits);
    }
    const char *wine = wine_version();
    fprintf(stderr, "scenarios: %d scenarios, on %s%s\n", scenario_count, wine ? "Wine " : "Windows",
            wine ? wine : "");
    int all_answered = 1;
    for (int i = 0; i < scenario_count; i++)
        all_answered &= run_scenario(i);
    return all_answered ? 0 : 1;
}
