/*
 * replay.c - a standalone driver for the fuzz targets: feeds every file of
 * the directories (or files) named on the command line to
 * LLVMFuzzerTestOneInput, so `make check` replays each corpus without
 * libFuzzer.  Prints TAP: one test per input.
 */
#include <dirent.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static int n;

static void run_file(const char *path)
{
	FILE *f = fopen(path, "rb");
	uint8_t *buf;
	long len;

	if (!f) {
		printf("not ok %d - cannot open %s\n", ++n, path);
		return;
	}
	fseek(f, 0, SEEK_END);
	len = ftell(f);
	fseek(f, 0, SEEK_SET);
	buf = malloc(len > 0 ? (size_t)len : 1);
	if (!buf || (len > 0 && fread(buf, 1, (size_t)len, f) != (size_t)len)) {
		printf("not ok %d - cannot read %s\n", ++n, path);
	} else {
		LLVMFuzzerTestOneInput(buf, (size_t)len); /* a crash ends the run: prove sees it */
		printf("ok %d - %s\n", ++n, path);
	}
	free(buf);
	fclose(f);
}

static int cmp(const void *a, const void *b)
{
	return strcmp(*(char *const *)a, *(char *const *)b);
}

int main(int argc, char **argv)
{
	for (int i = 1; i < argc; i++) {
		struct stat st;
		DIR *d;
		struct dirent *e;
		char **names = NULL;
		size_t k, cnt = 0;

		if (stat(argv[i], &st) == 0 && !S_ISDIR(st.st_mode)) {
			run_file(argv[i]);
			continue;
		}
		if (!(d = opendir(argv[i]))) {
			printf("1..0 # SKIP no corpus at %s\n", argv[i]);
			return 0;
		}
		while ((e = readdir(d))) {
			char **nn;
			if (e->d_name[0] == '.')
				continue;
			nn = realloc(names, (cnt + 1) * sizeof(*names));
			if (!nn)
				return 1;
			names = nn;
			names[cnt] = malloc(strlen(argv[i]) + strlen(e->d_name) + 2);
			sprintf(names[cnt], "%s/%s", argv[i], e->d_name);
			cnt++;
		}
		closedir(d);
		qsort(names, cnt, sizeof(*names), cmp);
		for (k = 0; k < cnt; k++) {
			run_file(names[k]);
			free(names[k]);
		}
		free(names);
	}
	printf("1..%d\n", n);
	return 0;
}
