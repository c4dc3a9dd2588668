/* engine_timer.h - the thread that runs an engine's timer: it calls
 * engine_tick() when the engine says (a digest due, a budget freeing up,
 * a save due), or sooner when woken.  The module starts one per action;
 * the replay drives engine_tick() itself on its virtual clock.
 */
#ifndef ENGINE_TIMER_H
#define ENGINE_TIMER_H
#include "engine.h"

typedef struct engine_timer engine_timer;

/* A timer for e whose requests go over conn (not started yet). */
omtw_err engine_timer_new(engine *e, void *conn, engine_timer **out);
/* Raised when the timer is stopped: a request in progress should end
 * (xapi_client_set_stop). */
int *engine_timer_stop_flag(engine_timer *t);
/* Start the thread (all signals blocked in it: they are for the host's
 * main thread); 0 or an errno value. */
int engine_timer_start(engine_timer *t, const char *name);
/* The engine is due earlier than it said (engine_ops.wake). */
void engine_timer_wake(engine_timer *t);
/* Stop the thread, wait for it, free t; NULL is fine. */
void engine_timer_free(engine_timer *t);

#endif
