/* exposure.h - libexposure, the library behind xsm.  Includes the whole public API. */
#ifndef XSM_EXPOSURE_H
#define XSM_EXPOSURE_H

#include "exposure/common.h"
#include "exposure/errors.h"
#include "exposure/version.h"
#include "exposure/ctx.h"
#include "exposure/config.h"
#include "exposure/connect.h"
#include "exposure/jsonw.h"
#include "exposure/store.h"
#include "exposure/records.h"
#include "exposure/gc.h"
#include "exposure/graph.h"
#include "exposure/critical.h"
#include "exposure/paths.h"
#include "exposure/match.h"
#include "exposure/whatif.h"
#include "exposure/insights.h"
#include "exposure/events.h"
#include "exposure/access.h"
#include "exposure/report.h"

#endif
