/*
 * live-bench.pml -- the liveness benchmark of scripts/live-bench (issue #21) in Promela:
 * models/bench/live_nN.mc (written by scripts/gen-bench) for SPIN's non-progress-cycle
 * search. N restartable workers loop forever on one Win32-style mutex m that protects
 * a pair (a, b) counted modulo 3; at most C crashes in a run; a crashed worker starts again
 * from the top, and the next owner repairs (b = a) when the wait returns WAIT_ABANDONED.
 * A `progress` label marks the point of the loop where mutexcheck's model has `progress`.
 *
 * Expected: no non-progress cycle, no assertion violation (the pair is equal whenever m is
 * released). Needs no fairness: every cycle passes some worker's critical section (the
 * crashes and restarts, bounded by C, cannot lie on a cycle).
 *
 * Written for SPIN's efficiency, in the conventions of ../shared/anchors/spin/ (one d_step
 * per semantic step; a crash allowed at every step, also while blocked; a crash frees an
 * owned mutex and marks it abandoned; the repair is part of the acquiring step): the
 * yardstick mutexcheck's reduced liveness check is compared with, as a mutexcheck user
 * writes the protocol naturally (a `while true` loop, `let r = wait m`, `if`).
 *
 *   spin -a -DN=12 -DC=1 live-bench.pml && gcc -O2 -DNP -o pan pan.c && ./pan -l -m100000
 */
#ifndef N
#define N 12           /* workers */
#endif
#ifndef C
#define C 1            /* crash budget (total crashes over all workers) */
#endif

#define NONE 0
#define ME   (_pid + 1)        /* worker ids are 1..N, 0 = no owner */

byte owner = NONE;             /* the mutex: its owner, NONE if free */
bool abandoned = false;        /* its owner crashed holding it */
byte a = 0;                    /* the protected pair, modulo 3 */
byte b = 0;
byte crashes = 0;              /* crashes so far, <= C */

/* A crash of the calling worker at this step: an owned m is freed and abandoned. */
#define CRASH                                                       \
    d_step { crashes < C -> crashes++;                              \
             if                                                     \
             :: owner == ME -> owner = NONE; abandoned = true       \
             :: else                                                \
             fi };                                                  \
    goto dead

active [N] proctype W()
{
acquire:
    if
    :: d_step { owner == NONE -> owner = ME;
                if
                :: abandoned -> abandoned = false; b = a   /* WAIT_ABANDONED: repair */
                :: else                                    /* WAIT_OBJECT_0 */
                fi }
    :: CRASH
    fi;
    if
    :: d_step { a = (a + 1) % 3 }
    :: CRASH
    fi;
progress:
    if
    :: d_step { b = (b + 1) % 3 }
    :: CRASH
    fi;
    if
    :: d_step { assert(owner == ME); owner = NONE; assert(a == b) }
    :: CRASH
    fi;
    goto acquire;
dead:
    goto acquire               /* the restart: a step of its own, as in mutexcheck */
}
