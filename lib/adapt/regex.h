/*
 * adapt/regex.h - the regular expressions of the expression language
 * (xsm-expr(7)): POSIX extended syntax, matched on bytes, with a bound on
 * time and memory whatever the pattern and the text.
 *
 * glibc's regexec backtracks on back-references (minutes and gigabytes on
 * a long name) and its regcomp expands nested counted repeats without a
 * limit, so the engine is our own: a pattern becomes a Thompson automaton
 * of at most XSM__REGEX_MAX_STATES states (refused beyond, when compiled),
 * matched by a DFA built when it is compiled (a table lookup a byte) or,
 * when that DFA would be too large, by simulating the automaton (at most
 * XSM__REGEX_MAX_STATES steps a byte).  Back-references are refused: no
 * engine bounds them.  Nothing is allocated when matching; one compiled
 * pattern serves any number of threads.
 */
#ifndef XSM__ADAPT_REGEX_H
#define XSM__ADAPT_REGEX_H

#include <stddef.h>

/* the automaton's size limit (repeat counts multiply what they repeat) */
#define XSM__REGEX_MAX_STATES 2000
/* the largest count of a {m,n} repeat */
#define XSM__REGEX_MAX_REPEAT 1000

enum {
	XSM__RE_ICASE = 1, /* ASCII letters match either case (REG_ICASE in the C locale) */
	XSM__RE_NO_DFA = 2 /* always simulate (tests compare the two matchers) */
};

typedef struct xsm__regex xsm__regex;

/*
 * Compile pattern.  0, XSM_ENOMEM, or XSM_EINVALID with the reason in
 * msg (lower case) and in *at the 0-based byte offset of the pattern
 * where it was found.
 */
int xsm__regex_compile(xsm__regex **out, const char *pattern, int flags, char *msg, size_t msglen, size_t *at);
/* 1 when the NUL-terminated text holds a match, else 0 */
int xsm__regex_match(const xsm__regex *re, const char *text);
/* how it matches: 1 a DFA, 0 a simulation (tests, measurements) */
int xsm__regex_is_dfa(const xsm__regex *re);
void xsm__regex_free(xsm__regex *re);

#endif
