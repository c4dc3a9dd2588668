/* test_ratelog.c - one log line per cause per interval, with the count. */
#include "ratelog.h"
#include "tap.h"

int main(void)
{
	ratelog r = { 0 };
	unsigned long n = 99;
	int logged = 0;

	ok(ratelog_take(&r, 1000, 300, &n) && n == 0, "the first occurrence is logged at once");
	for (int i = 1; i < 300; i++)
		logged += ratelog_take(&r, 1000 + i, 300, &n);
	is_int(logged, 0, "the next 299 within the interval are not");
	ok(ratelog_take(&r, 1300, 300, &n) && n == 299, "after the interval: logged, saying 299 were not");
	ok(!ratelog_take(&r, 1301, 300, &n), "then quiet again");
	ratelog_reset(&r);
	ok(ratelog_take(&r, 1302, 300, &n) && n == 0, "after a reset (a success) the next one is logged at once");
	ok(ratelog_take(&r, 1000, 300, &n), "a clock that went back does not silence a cause");
	return tap_done();
}
