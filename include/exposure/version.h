/* exposure/version.h - library version. */
#ifndef XSM_VERSION_H
#define XSM_VERSION_H

#include "common.h"

#define XSM_VERSION "0.1.0"
#define XSM_VERSION_MAJOR 0
#define XSM_VERSION_MINOR 1
#define XSM_VERSION_PATCH 0
#define XSM_VERSION_NUMBER 0x000100
#define XSM_SOVERSION 0

XSM_BEGIN_DECL

/** The version of the library actually loaded. Any out-param may be NULL. */
XSM_EXTERN(void) xsm_version(int *major, int *minor, int *patch);

XSM_END_DECL

#endif
