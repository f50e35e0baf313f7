/*
 * fuzz_regex.c - the regular expression engine (adapt/regex.c) against
 * glibc's regcomp/regexec, the engine it replaces.  Input: a pattern, a
 * newline, then texts one a line.  Checked: a pattern we accept glibc
 * accepts too; where both accept it, the DFA, the simulation and glibc
 * give the same verdict on every text; we refuse only what the dialect
 * leaves out (back-references) or what passes a limit.  glibc is asked
 * only about short patterns without back-references, so it stays fast.
 */
#include <regex.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "adapt/regex.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

/* a refusal glibc need not share */
static int ours_only(const char *msg)
{
	return strstr(msg, "back-reference") || strstr(msg, "too complex") || strstr(msg, "repeat count over") ||
	       strstr(msg, "nested deeper");
}

/*
 * glibc with REG_ICASE: an escaped lower-case letter that is no operator
 * (\\o, \\q) matches nothing at all, not even itself.  Ours is the letter,
 * either case, as POSIX reads an escaped ordinary character.
 */
static int glibc_bug(const char *pat)
{
	for (const char *p = pat; *p; p++)
		if (*p == '\\' && p[1]) {
			if (p[1] >= 'a' && p[1] <= 'z' && !strchr("wsb", p[1]))
				return 1;
			p++;
		}
	return 0;
}

/* glibc's regcomp copies a tree per repeat: stacked repeats (a++++...) take it gigabytes */
static int many_repeats(const char *pat)
{
	int n = 0;
	for (const char *p = pat; *p; p++)
		n += *p == '*' || *p == '+' || *p == '?' || *p == '{';
	return n > 6;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	const uint8_t *nl = memchr(data, '\n', size);
	size_t plen = nl ? (size_t)(nl - data) : size;
	char *pat, msg[200];
	xsm__regex *dfa = NULL, *sim = NULL;
	regex_t g;
	size_t at;
	int rc, grc = -1;

	if (memchr(data, 0, plen) || !(pat = malloc(plen + 1)))
		return 0;
	memcpy(pat, data, plen);
	pat[plen] = '\0';
	rc = xsm__regex_compile(&dfa, pat, XSM__RE_ICASE, msg, sizeof(msg), &at);
	if (rc == 0 && xsm__regex_compile(&sim, pat, XSM__RE_ICASE | XSM__RE_NO_DFA, msg, sizeof(msg), &at) != 0)
		abort(); /* the two compilations differ only in the matcher */
	if (rc != 0 && at > plen)
		abort();
	/* glibc only where ours did not find a size limit passed: its regcomp has none */
	if (plen <= 64 && (rc == 0 || !ours_only(msg)) && !glibc_bug(pat) && !many_repeats(pat))
		grc = regcomp(&g, pat, REG_EXTENDED | REG_ICASE | REG_NOSUB);
	if (rc == 0 && grc > 0) {
		fprintf(stderr, "we accept what glibc refuses: '%s'\n", pat);
		abort();
	}
	if (rc != 0 && grc == 0 && !ours_only(msg)) {
		fprintf(stderr, "we refuse what glibc accepts: '%s': %s\n", pat, msg);
		abort();
	}
	if (rc == 0) {
		const uint8_t *p = nl ? nl + 1 : data + size, *end = data + size;
		while (p <= end) {
			const uint8_t *e = memchr(p, '\n', (size_t)(end - p));
			size_t n = e ? (size_t)(e - p) : (size_t)(end - p);
			char *t = malloc(n + 1);
			int a, b;
			if (!t)
				break;
			memcpy(t, p, n);
			t[n] = '\0'; /* a NUL ends the text, for every engine alike */
			a = xsm__regex_match(dfa, t);
			b = xsm__regex_match(sim, t);
			if (a != b)
				abort();
			if (grc == 0 && n <= 4096 && a != (regexec(&g, t, 0, NULL, 0) == 0)) {
				fprintf(stderr, "'%s' on '%s': we say %d, glibc %d\n", pat, t, a, !a);
				abort();
			}
			free(t);
			if (!e)
				break;
			p = e + 1;
		}
	}
	if (grc == 0)
		regfree(&g);
	xsm__regex_free(dfa);
	xsm__regex_free(sim);
	free(pat);
	return 0;
}
