/*
 * fuzz_regex.c - the regular expression engine (adapt/regex.c) against
 * glibc's regcomp/regexec, the engine it replaces.  Input: a pattern, a
 * newline, then texts one a line.  Checked: a pattern we accept glibc
 * accepts too; where both accept it, the DFA, the simulation and glibc
 * give the same verdict on every text; we refuse only what the dialect
 * leaves out (back-references) or what passes a limit.  glibc is asked
 * in a child with 2 seconds, only about short patterns with few repeats
 * and short texts: it has no bound on time or memory, which is the point.
 */
#include <regex.h>
#include <signal.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

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

/*
 * glibc's regcomp copies a tree per repeat: stacked repeats (a++++...)
 * and nested counts (((){,3}){1,100}: 1.3 GB) take it gigabytes, and
 * repeated empty groups seconds.  So it is not asked about those.
 */
static int many_repeats(const char *pat)
{
	double product = 1;
	int n = 0, braces = 0;
	if (strstr(pat, "()") || strstr(pat, "(|") || strstr(pat, "|)"))
		return 1; /* ((){,3}){11,}: 10 s in glibc's regcomp */
	for (const char *p = pat; *p; p++) {
		n += *p == '*' || *p == '+' || *p == '?' || *p == '{';
		braces += *p == '{';
		if (*p == '{') {
			/* the largest number up to the closing brace (escapes and all): a bound on the count */
			long most = 0, v = 0;
			for (const char *q = p + 1; *q && *q != '}' && q - p < 16; q++) {
				v = *q >= '0' && *q <= '9' ? (v > 100000 ? v : v * 10 + (*q - '0')) : 0;
				most = v > most ? v : most;
			}
			product *= (double)most + 2;
		}
	}
	return n > 5 || braces > 1 || product > 200;
}

#define MAX_TEXTS 64

/*
 * glibc's verdicts, from a child given 2 seconds (glibc has no bound of its
 * own: (a*^)*{92}c took it past 20 s): out[0] is regcomp's 0 or 1 (refused),
 * out[1 + i] regexec's on texts[i]; -1 when the child did not finish.
 */
static int ask_glibc(const char *pat, char *const *texts, size_t nt, signed char *out)
{
	int fd[2], status;
	ssize_t got = 0, r;
	pid_t pid;
	memset(out, -1, nt + 1);
	if (pipe(fd) < 0)
		return -1;
	if ((pid = fork()) < 0) {
		close(fd[0]);
		close(fd[1]);
		return -1;
	}
	if (pid == 0) {
		signed char v[MAX_TEXTS + 1];
		regex_t g;
		close(fd[0]);
		signal(SIGALRM, SIG_DFL); /* libFuzzer's own handler would let the child run on */
		alarm(2);
		v[0] = regcomp(&g, pat, REG_EXTENDED | REG_ICASE | REG_NOSUB) != 0;
		for (size_t i = 0; !v[0] && i < nt; i++)
			v[1 + i] = strlen(texts[i]) <= 256 ? regexec(&g, texts[i], 0, NULL, 0) == 0 : -1;
		if (write(fd[1], v, v[0] ? 1 : nt + 1) < 0)
			_exit(1);
		_exit(0); /* no leak check in the child: glibc's tree is its own */
	}
	close(fd[1]);
	while ((size_t)got < nt + 1 && (r = read(fd[0], out + got, nt + 1 - (size_t)got)) > 0)
		got += r;
	close(fd[0]);
	waitpid(pid, &status, 0);
	if (!WIFEXITED(status) || WEXITSTATUS(status) != 0 || got < 1) {
		memset(out, -1, nt + 1);
		return -1;
	}
	return 0;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	const uint8_t *nl = memchr(data, '\n', size);
	size_t plen = nl ? (size_t)(nl - data) : size, nt = 0;
	char *pat, msg[200], *texts[MAX_TEXTS];
	signed char gv[MAX_TEXTS + 1];
	xsm__regex *dfa = NULL, *sim = NULL;
	size_t at;
	int rc;

	if (memchr(data, 0, plen) || !(pat = malloc(plen + 1)))
		return 0;
	memcpy(pat, data, plen);
	pat[plen] = '\0';
	/* the texts, one a line; a NUL ends one, for every engine alike */
	for (const uint8_t *p = nl ? nl + 1 : data + size, *end = data + size; p <= end && nt < MAX_TEXTS;) {
		const uint8_t *e = memchr(p, '\n', (size_t)(end - p));
		size_t n = e ? (size_t)(e - p) : (size_t)(end - p);
		if (!(texts[nt] = malloc(n + 1)))
			break;
		memcpy(texts[nt], p, n);
		texts[nt++][n] = '\0';
		if (!e)
			break;
		p = e + 1;
	}
	rc = xsm__regex_compile(&dfa, pat, XSM__RE_ICASE, msg, sizeof(msg), &at);
	if (rc == 0 && xsm__regex_compile(&sim, pat, XSM__RE_ICASE | XSM__RE_NO_DFA, msg, sizeof(msg), &at) != 0)
		abort(); /* the two compilations differ only in the matcher */
	if (rc != 0 && at > plen)
		abort();
	memset(gv, -1, sizeof(gv));
	/* glibc only where ours did not find a size limit passed: its regcomp has none */
	if (plen <= 64 && (rc == 0 || !ours_only(msg)) && !glibc_bug(pat) && !many_repeats(pat))
		ask_glibc(pat, texts, nt, gv);
	if (rc == 0 && gv[0] == 1) {
		fprintf(stderr, "we accept what glibc refuses: '%s'\n", pat);
		abort();
	}
	if (rc != 0 && gv[0] == 0 && !ours_only(msg)) {
		fprintf(stderr, "we refuse what glibc accepts: '%s': %s\n", pat, msg);
		abort();
	}
	for (size_t i = 0; rc == 0 && i < nt; i++) {
		int a = xsm__regex_match(dfa, texts[i]), b = xsm__regex_match(sim, texts[i]);
		if (a != b)
			abort();
		if (gv[0] == 0 && gv[1 + i] >= 0 && a != gv[1 + i]) {
			fprintf(stderr, "'%s' on '%s': we say %d, glibc %d\n", pat, texts[i], a, !a);
			abort();
		}
	}
	for (size_t i = 0; i < nt; i++)
		free(texts[i]);
	xsm__regex_free(dfa);
	xsm__regex_free(sim);
	free(pat);
	return 0;
}
