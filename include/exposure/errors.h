/* exposure/errors.h - error codes. Numbers are never renumbered or reused. */
#ifndef XSM_ERRORS_H
#define XSM_ERRORS_H

#include "common.h"

XSM_BEGIN_DECL

typedef enum xsm_error_code {
	XSM_OK         = 0,
	XSM_ERROR      = -1,  /**< generic failure */
	XSM_ENOMEM     = -2,  /**< out of memory */
	XSM_ENOTFOUND  = -3,  /**< the thing asked for does not exist */
	XSM_EEXISTS    = -4,  /**< the thing to create exists already */
	XSM_EINVALID   = -5,  /**< bad input data */
	XSM_ECONFIG    = -6,  /**< invalid configuration */
	XSM_ELOCKED    = -7,  /**< the store lock is held by another writer */
	XSM_EIO        = -8,  /**< read or write error */
	XSM_ENET       = -9,  /**< DNS, connect or TLS failure */
	XSM_EHTTP      = -10, /**< unexpected HTTP status */
	XSM_EAUTH      = -11, /**< authentication or authorisation refused */
	XSM_ERATELIMIT = -12, /**< rate limited (429/503) after all retries */
	XSM_EPROTO     = -13, /**< remote data that cannot be parsed */
	XSM_EUSER      = -14, /**< a callback asked to stop */
	XSM_ITEROVER   = -15, /**< an iterator has no more items */
	XSM_EUSAGE     = -16, /**< a caller passed invalid arguments */
	XSM_EFORMAT    = -17, /**< the store has a newer, unknown format */
	XSM_ECREATE    = -18, /**< cannot create a file or directory */
	XSM_EDENIED    = -19, /**< permission denied (file mode, role) */
	XSM_ENOINPUT   = -20, /**< input file or store missing */
} xsm_error_code;

/** A static, lower-case description of an error code. Never NULL. */
XSM_EXTERN(const char *) xsm_strerror(int code);

/** The symbolic name of an error code ("XSM_EINVALID"). Never NULL. */
XSM_EXTERN(const char *) xsm_error_name(int code);

XSM_END_DECL

#endif
