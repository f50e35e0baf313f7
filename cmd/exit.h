/* exit.h - xsm's exit codes (xsm(1) EXIT STATUS).  Each number's meaning is frozen. */
#ifndef XSM_CMD_EXIT_H
#define XSM_CMD_EXIT_H

enum {
	XSM_EXIT_OK          = 0,  /* success */
	XSM_EXIT_FOUND       = 1,  /* a check found something (--fail-on) */
	XSM_EXIT_USAGE       = 64, /* bad flag or argument */
	XSM_EXIT_DATAERR     = 65, /* invalid input data */
	XSM_EXIT_NOINPUT     = 66, /* input file, store or named object missing */
	XSM_EXIT_UNAVAILABLE = 69, /* connector endpoint unreachable */
	XSM_EXIT_SOFTWARE    = 70, /* internal error */
	XSM_EXIT_OSERR       = 71, /* out of memory */
	XSM_EXIT_CANTCREAT   = 73, /* cannot create the store or an output file */
	XSM_EXIT_IOERR       = 74, /* read or write error, also on stdout */
	XSM_EXIT_TEMPFAIL    = 75, /* lock held, rate limited: retry later */
	XSM_EXIT_PROTOCOL    = 76, /* remote sent unparseable or unexpected data */
	XSM_EXIT_NOPERM      = 77, /* authentication refused, permission denied */
	XSM_EXIT_CONFIG      = 78, /* invalid configuration, missing secret */
};

#endif
