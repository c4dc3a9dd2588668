/* credshare.h - the credentials an action's threads share.  A HUP loads
 * the file again and replaces them as a whole, while a request in
 * progress goes on with the ones it took (reference counted).
 * Thread-safe.
 */
#ifndef CREDSHARE_H
#define CREDSHARE_H
#include <stddef.h>
#include "credfile.h"

typedef struct credshare credshare;

omtw_err credshare_new(credshare **out);
/* Free s and the current credentials; none may be acquired.  NULL is fine. */
void credshare_free(credshare *s);
/* Load path as the current credentials (credfile_load's checks).  On an
 * error the old ones stay and err says why (never a secret). */
omtw_err credshare_load(credshare *s, const char *path, char *err, size_t errlen);
/* The current credentials, kept valid until released; NULL if none. */
const omtw_creds *credshare_acquire(credshare *s);
void credshare_release(credshare *s, const omtw_creds *c);

#endif
