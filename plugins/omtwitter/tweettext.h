/* tweettext.h - shaping alert text into post text.
 *
 * For now: trimming.  UTF-8 repair, NFC, weighted length and thread
 * splitting land here with issue #4.
 */
#ifndef TWEETTEXT_H
#define TWEETTEXT_H

/* A copy of s without leading and trailing white space; NULL if out of memory. */
char *tweettext_trim(const char *s);

#endif
