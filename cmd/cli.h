/* cli.h - what every command gets, and the helpers they share. */
#ifndef XSM_CMD_CLI_H
#define XSM_CMD_CLI_H

#include <stdio.h>

#include "exit.h"
#include "exposure.h"

enum xsm_format { XSM_FMT_TABLE, XSM_FMT_JSON, XSM_FMT_JSONL, XSM_FMT_DOT, XSM_FMT_SVG, XSM_FMT_OTHER };

/* command table flags: setup done by run_command() before the command runs */
enum {
	XSM_NEED_STORE   = 1 << 0, /* open the store (it must exist) */
	XSM_CREATE_STORE = 1 << 1, /* create it when missing */
	XSM_WRITE_LOCK   = 1 << 2, /* take the writer lock */
};

struct xsm_cli;
struct xsm_command {
	const char *name;
	int (*fn)(int argc, const char **argv, struct xsm_cli *cli);
	unsigned int flags;
	const char *summary;
	const char *usage; /* equals the SYNOPSIS of man/man1/xsm-<name>.1 */
};

struct xsm_cli {
	xsm_ctx *ctx;
	xsm_config *cfg;
	xsm_store *store;        /* opened per the command's flags, else NULL */
	const char *store_opt;   /* --store */
	const char *config_opt;  /* --config */
	xsm_buf store_dir;       /* resolved store directory */
	int format;              /* enum xsm_format */
	const char *format_name; /* the output format as given, for commands with their own formats */
	const char *input_format; /* an input format (ingest --format records), or NULL */
	int store_code;          /* the store could not be opened: the exit code, reported after the options */
	xsm_buf store_err;       /* ... and its message */
	int quiet, verbose;
	int tty;                 /* stdout is a terminal */
	int err_tty;             /* stderr is a terminal: progress allowed */
	const struct xsm_command *cmd;
};

/* --- options (opt.c) ------------------------------------------------------- */
enum xsm_opt_type { XSM_OPT_FLAG, XSM_OPT_STR, XSM_OPT_INT, XSM_OPT_CALL };

struct xsm_opt {
	const char *name;  /* long name without "--" */
	char short_name;   /* or 0 */
	int type;
	void *dest;        /* int* for FLAG/INT, const char** for STR, payload for CALL */
	int (*call)(const char *value, void *payload); /* XSM_OPT_CALL: non-zero = bad value */
};

/*
 * Parse argv[1..] against opts (terminated by a zeroed entry).  Also takes
 * --format=F and -h/--help everywhere.  Positionals are stored in pos
 * (at most maxpos).  Returns the positional count, or -1 after printing a
 * usage error (exit 64), or -2 when help was printed (exit 0).
 */
int xsm_opt_parse(struct xsm_cli *cli, int argc, const char **argv, const struct xsm_opt *opts,
		  const char **pos, int maxpos);
/*
 * --format NAME: an output format (table, json, jsonl, dot, svg, graphml,
 * neo4j) sets cli->format, an input format (records) cli->input_format;
 * -1 for a name that is neither.  Whether the command can write that
 * output is checked by xsm_opt_parse.
 */
int xsm_cli_set_format(struct xsm_cli *cli, const char *name);
/*
 * The exit code for a negative xsm_opt_parse result: 0 after help, 64 for
 * a usage error, the store's error once the options were good but the
 * store could not be opened (-3).
 */
int xsm_opt_exit(const struct xsm_cli *cli, int n);

/* --- errors and output (xsm.c, out.c) --------------------------------------- */
int xsm_cli_exit_code(int xsm_error);
/* print "xsm: <ctx message>" (+ error name with -v) and return the exit code for rc */
int xsm_cli_fail(struct xsm_cli *cli, int rc);
/* print "xsm: <message>" on stderr */
void xsm_cli_error(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
/* print "hint: <message>" on stderr */
void xsm_cli_hint(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
/* print a command's usage: "usage: FORM" and "   or: FORM" for each further line */
void xsm_cli_print_usage(FILE *out, const char *usage);
/* usage error: message, then "usage: <usage>", returns 64 */
int xsm_cli_usage(struct xsm_cli *cli, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
/* write a finished JSON buffer (plus newline) to stdout */
int xsm_cli_emit(xsm_buf *b);
/* a list in --format=json or jsonl, one row written to w (on b): in jsonl, emit the row and start the next */
void xsm_cli_list_row(const struct xsm_cli *cli, xsm_jw *w, xsm_buf *b);
/* ... and after the last row: in json, close the array and its object and emit them */
void xsm_cli_list_end(const struct xsm_cli *cli, xsm_jw *w, xsm_buf *b);
/*
 * A document (what: "HTML", "a PDF") bound for standard output (path NULL
 * or "-") that is a terminal is refused, like gzip, rather than flood it:
 * XSM_EXIT_USAGE after a message and a hint giving example; else 0.
 */
int xsm_cli_refuse_tty(const struct xsm_cli *cli, const char *path, const char *what, const char *example);
/*
 * Write a finished document to path, or to stdout for NULL or "-": a
 * temporary file beside path renamed over it, so a failure leaves
 * nothing behind (a device or pipe is written as it is), then "wrote
 * PATH (N bytes)" on stderr unless -q.  0, or an exit code after a
 * message (73 cannot create, 74 write error).
 */
int xsm_cli_write_file(const struct xsm_cli *cli, const char *path, const xsm_buf *data);
/* --since: RFC 3339, or an age before now (30d, 12h, 45m); -1 for anything else */
int xsm_cli_parse_since(int64_t *out, const char *s, int64_t now);
/* progress on stderr, only on a terminal and without -q; "\r" line, end with done=1 */
void xsm_cli_progress(struct xsm_cli *cli, int done, const char *fmt, ...) __attribute__((format(printf, 3, 4)));

/* "billable": {devices, containers, identities, applications} (connectors) */
void xsm_cli_jw_billable(xsm_jw *w, size_t devices, size_t containers, size_t identities, size_t applications);

/* the noun for a count: "1 hop", "2 hops" */
static inline const char *xsm_plural(size_t n, const char *one, const char *many)
{
	return n == 1 ? one : many;
}
#define XSM_PL(n, word) xsm_plural((n), word, word "s")

/* how many digits n has: the width that lines up a column of counts */
int xsm_cli_digits(size_t n);

/* a simple aligned text table for human output; columns of numbers are right-aligned */
struct xsm_table {
	int ncols;
	const char **head;
	char **cells; /* rows * ncols */
	size_t rows, cap;
};
void xsm_table_init(struct xsm_table *t, int ncols, const char **head);
void xsm_table_add(struct xsm_table *t, ...); /* ncols strings (NULL prints "-") */
void xsm_table_addv(struct xsm_table *t, const char *const *cells); /* the same from an array */
void xsm_table_print(struct xsm_table *t, FILE *out);
void xsm_table_free(struct xsm_table *t);

/* a source's age as status and connect list both show it (cmd_status.c) */
void xsm_cli_age(char *out, size_t n, const xsm_source_info *s);
void xsm_cli_jw_age(xsm_jw *w, const xsm_source_info *s);

/* --- commands --------------------------------------------------------------- */
int cmd_config(int argc, const char **argv, struct xsm_cli *cli);
int cmd_connect(int argc, const char **argv, struct xsm_cli *cli);
int cmd_critical(int argc, const char **argv, struct xsm_cli *cli);
int cmd_events(int argc, const char **argv, struct xsm_cli *cli);
int cmd_gc(int argc, const char **argv, struct xsm_cli *cli);
int cmd_insights(int argc, const char **argv, struct xsm_cli *cli);
int cmd_init(int argc, const char **argv, struct xsm_cli *cli);
int cmd_paths(int argc, const char **argv, struct xsm_cli *cli);
int cmd_status(int argc, const char **argv, struct xsm_cli *cli);
int cmd_ingest(int argc, const char **argv, struct xsm_cli *cli);
int cmd_graph(int argc, const char **argv, struct xsm_cli *cli);
/* xsm graph match (cmd_match.c) */
int xsm_cli_graph_match(int argc, const char **argv, struct xsm_cli *cli);
/* xsm paths whatif (cmd_whatif.c) */
int xsm_cli_paths_whatif(int argc, const char **argv, struct xsm_cli *cli);
int cmd_help(int argc, const char **argv, struct xsm_cli *cli);
int cmd_serve(int argc, const char **argv, struct xsm_cli *cli);
int cmd_access(int argc, const char **argv, struct xsm_cli *cli);
int cmd_audit(int argc, const char **argv, struct xsm_cli *cli);
int cmd_report(int argc, const char **argv, struct xsm_cli *cli);
/*
 * The configuration's last layers: data.dir for a build tree, then each
 * -c KEY=VALUE (an unknown key or a bad value is a usage error, 64).
 * 0, or an exit code after a message.
 */
int xsm_cli_apply_settings(xsm_ctx *ctx, xsm_config *cfg);
/* take the writer lock for a subcommand that writes (0, or an exit code after a message) */
int xsm_cli_lock(struct xsm_cli *cli);
/* build a graph snapshot now (after an ingest); a library error code */
int xsm_cli_build(struct xsm_cli *cli);
/*
 * The build after a command whose own change is committed (ingest,
 * connect remove --purge): its failure cannot undo that change, so it is
 * a warning, not the command's exit code; the next build does it.
 * 1 when built.
 */
int xsm_cli_build_after(struct xsm_cli *cli, const char *what);
/*
 * A change with its audit entry: the entry is appended first (a failed
 * append changes nothing), then save(arg, store) commits the change; a
 * failed save takes the entry back.  Then the current snapshot is
 * re-evaluated: that follows the commit, so its failure is a warning (the
 * next build re-evaluates).  0, or an exit code after a message.
 */
int xsm_cli_commit(struct xsm_cli *cli, int (*save)(void *arg, xsm_store *store), void *arg, const char *action,
		   const char *target, const char *before, const char *after);
const struct xsm_command *xsm_command_find(const char *name);

/* --- a served store (cmd_serve.c) ------------------------------------------- */
/* who a server runs this process's command for; NULL when not served */
struct xsm_served {
	const char *user;
	unsigned uid;
	const char *const *groups;
	size_t ngroups;
	int owner;              /* the store's owner or root: every role */
	const char *store_dir;  /* the store the server serves */
	const char *config_opt; /* the server's --config */
	const char *scope;      /* "" or the device scope of the caller's grants */
	int paths_in_scope;     /* the profile shows in-scope paths to a scoped caller */
	const char *profile;
};
extern const struct xsm_served *xsm_served;
/* the whole command line, as main() runs it (the server's children too); an exit code */
int xsm_cli_main(int argc, const char **argv);
/*
 * 1 and the socket's path in out when the store is served: --store or
 * XSM_STORE names a socket, or neither is given and store.socket is set;
 * 0 when the store is a directory; -1 out of memory.
 */
int xsm_cli_served_socket(struct xsm_cli *cli, xsm_buf *out);
/* run argv (from the command name on) on the server at sock; the command's exit code */
int xsm_cli_client(struct xsm_cli *cli, const char *sock, int argc, const char **argv);
/* the roles.yaml action a command line needs (a second in *also), "" for none, NULL when not served */
const char *xsm_cli_action(int argc, const char **argv, const char **also);
const struct xsm_command *xsm_commands(size_t *n);

#endif
