/*
 * report/map.h - the attack path map of a report.  The paths become a
 * layered graph (columns left to right: entry points, the steps between,
 * targets; or, grouped, entry side, choke point, target side), whose
 * rows are ordered to cross less, then drawn as inline SVG.  Every drawn
 * path (or group) is a <g> with its id in a data- attribute, and so is
 * every node, so the page can be checked against `xsm paths list`.
 */
#ifndef XSM__REPORT_MAP_H
#define XSM__REPORT_MAP_H

#include <stdint.h>

#include "exposure/ctx.h"
#include "exposure/paths.h"
#include "exposure/report.h"
#include "report/html.h"
#include "util/arena.h"
#include "util/strmap.h"
#include "util/vec.h"

/* what a node is on the paths drawn (flags) */
enum { LN_ENTRY = 1, LN_MID = 2, LN_TARGET = 4, LN_CHOKE = 8, LN_SIDE = 16 };

struct xsm__lnode {
	const char *id, *name, *title; /* data-node-id, the text shown, the tooltip */
	unsigned flags;
	int col, deepest;              /* its column; the deepest step it is in between */
	size_t weight;                 /* paths through it (grouped maps) */
	double y;                      /* row position, in rows from the top */
};

/* an edge drawn for an owner: a path, or a choke point group */
struct xsm__ledge {
	uint32_t from, to, owner;
	const char *label;
	size_t weight;
};

struct xsm__lowner {
	const char *cls;   /* "path risk-critical", "group" */
	const char *attr;  /* "data-path-id", "data-choke-id" */
	const char *id, *title;
	size_t weight;
	long self;         /* a path of no hop (its entry is its target): that node, else -1 */
};

typedef struct xsm__lgraph {
	xsm__arena a;
	xsm__strmap ids; /* node id -> index + 1 */
	XSM__VEC(struct xsm__lnode) nodes;
	XSM__VEC(struct xsm__ledge) edges;
	XSM__VEC(struct xsm__lowner) owners;
	int ncols;
	const char *colname[16]; /* headings; past 16 columns none */
	int weighted;            /* edge widths from weights */
	int labels;              /* write the edge labels on the map */
	int box_w, name_max;     /* a node's box width (px) and the characters of its name shown */
} xsm__lgraph;

void xsm__lgraph_free(xsm__lgraph *g);
/* a string kept as long as the graph (NULL stays NULL); NULL on OOM */
const char *xsm__lgraph_str(xsm__lgraph *g, const char *s);
/* the node with this id, added (with name and title) when new: index, or -1 on OOM */
long xsm__lgraph_node(xsm__lgraph *g, const char *id, const char *name, const char *title);
/* 0, or XSM_ENOMEM */
int xsm__lgraph_edge(xsm__lgraph *g, uint32_t from, uint32_t to, uint32_t owner, const char *label, size_t weight);
int xsm__lgraph_owner(xsm__lgraph *g, const char *cls, const char *attr, const char *id, const char *title,
		      size_t weight);

/* order each column's rows so edges cross less (deterministic); 0 or XSM_ENOMEM */
int xsm__lgraph_layout(xsm__lgraph *g);
/* the map as an <svg> element */
void xsm__lgraph_svg(xsm__html *h, const xsm__lgraph *g);

/*
 * The map section's figure for paths order[0..n) of set (most serious
 * first): every path drawn, or past the options' bounds the paths grouped
 * by the choke points of chokes (chokepoints.json text), with a caption
 * that says which.
 */
int xsm__report_map(xsm__html *h, xsm_ctx *ctx, const xsm_pathset *set, const size_t *order, size_t n,
		    const char *chokes, const xsm_report_options *o);

#endif
