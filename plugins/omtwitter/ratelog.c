/* ratelog.c - rate-limited logging decisions (see ratelog.h). */
#include "ratelog.h"

int ratelog_take(ratelog *r, time_t now, long interval, unsigned long *suppressed)
{
	if (r->last != 0 && now >= r->last && now - r->last < interval) {
		r->suppressed++;
		return 0;
	}
	*suppressed = r->suppressed;
	r->suppressed = 0;
	r->last = now ? now : 1;
	return 1;
}

void ratelog_reset(ratelog *r)
{
	r->last = 0;
	r->suppressed = 0;
}
