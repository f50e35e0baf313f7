/* graph_export.c - the whole graph as JSON, JSONL, DOT, GraphML or neo4j-admin CSV. */
#include <errno.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

static int isalnum_c(char c)
{
	return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '_';
}

#include "ctx.h"
#include "graph/graph.h"
#include "util/alloc.h"
#include "util/buf.h"
#include "util/fs.h"

static int write_all(xsm_graph *g, int fd, const char *p, size_t len)
{
	return xsm__fs_write_fd(g->ctx, fd, p, len, "the export");
}

static int flush_fd(xsm_graph *g, int fd, xsm_buf *b, int force)
{
	int rc;
	if (!force && b->size < (1 << 20))
		return 0;
	rc = write_all(g, fd, b->ptr, b->size);
	xsm_buf_clear(b);
	return rc;
}


static void xml_text(xsm_buf *b, const char *s)
{
	for (; *s; s++) {
		switch (*s) {
		case '<': xsm_buf_puts(b, "&lt;"); break;
		case '>': xsm_buf_puts(b, "&gt;"); break;
		case '&': xsm_buf_puts(b, "&amp;"); break;
		case '"': xsm_buf_puts(b, "&quot;"); break;
		default:
			if ((unsigned char)*s < 0x20 && *s != '\t' && *s != '\n')
				xsm_buf_putc(b, ' ');
			else
				xsm_buf_putc(b, *s);
		}
	}
}

static void dot_text(xsm_buf *b, const char *s)
{
	xsm_buf_putc(b, '"');
	for (; *s; s++) {
		if (*s == '"' || *s == '\\')
			xsm_buf_putc(b, '\\');
		xsm_buf_putc(b, (unsigned char)*s < 0x20 ? ' ' : *s);
	}
	xsm_buf_putc(b, '"');
}

int xsm_graph_export(const xsm_graph *cg, int format, int fd)
{
	xsm_graph *g = (xsm_graph *)cg;
	xsm_buf b = XSM_BUF_INIT;
	size_t i;
	int rc = 0;

	switch (format) {
	case XSM_EXPORT_JSON:
		xsm_buf_printf(&b, "{\"schema\":\"xsm.graph/1\",\"snapshot\":\"%s\",\"nodes\":[", g->snapshot);
		for (i = 0; i < g->nodes.n && rc == 0; i++) {
			if (i)
				xsm_buf_putc(&b, ',');
			if ((rc = xsm__graph_node_json(&b, g, (uint32_t)i)) == 0)
				rc = flush_fd(g, fd, &b, 0);
		}
		xsm_buf_puts(&b, "],\"edges\":[");
		for (i = 0; i < g->edges.n && rc == 0; i++) {
			if (i)
				xsm_buf_putc(&b, ',');
			if ((rc = xsm__graph_edge_json(&b, g, (uint32_t)i)) == 0)
				rc = flush_fd(g, fd, &b, 0);
		}
		xsm_buf_puts(&b, "]}\n");
		break;
	case XSM_EXPORT_JSONL: {
		/* one object a line with a "type" discriminator, nodes first */
		xsm__fdput f = { g->ctx, fd, "the export" };
		rc = xsm__graph_lines_emit(g, 1, "{\"type\":\"node\",", xsm__fd_put, &f);
		if (rc == 0)
			rc = xsm__graph_lines_emit(g, 0, "{\"type\":\"edge\",", xsm__fd_put, &f);
		break;
	}
	case XSM_EXPORT_DOT:
		xsm_buf_puts(&b, "digraph xsm {\n  graph [rankdir=LR];\n  node [shape=box, fontsize=10];\n");
		for (i = 0; i < g->nodes.n && rc == 0; i++) {
			xsm_buf_puts(&b, "  ");
			dot_text(&b, xsm__gstr(g, g->nodes.v[i].id));
			xsm_buf_puts(&b, " [label=");
			{
				xsm_buf l = XSM_BUF_INIT;
				xsm_buf_printf(&l, "%s\n%s", xsm__gstr(g, g->nodes.v[i].name), xsm__gstr(g, g->nodes.v[i].label));
				dot_text(&b, l.ptr);
				xsm_buf_dispose(&l);
			}
			xsm_buf_puts(&b, "];\n");
			rc = flush_fd(g, fd, &b, 0);
		}
		for (i = 0; i < g->edges.n && rc == 0; i++) {
			const xsm__edge *e = &g->edges.v[i];
			xsm_buf_puts(&b, "  ");
			dot_text(&b, xsm__gstr(g, g->nodes.v[e->src].id));
			xsm_buf_puts(&b, " -> ");
			dot_text(&b, xsm__gstr(g, g->nodes.v[e->dst].id));
			xsm_buf_puts(&b, " [label=");
			dot_text(&b, xsm__gstr(g, e->label));
			xsm_buf_puts(&b, "];\n");
			rc = flush_fd(g, fd, &b, 0);
		}
		xsm_buf_puts(&b, "}\n");
		break;
	case XSM_EXPORT_GRAPHML:
		xsm_buf_puts(&b, "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n"
				 "<graphml xmlns=\"http://graphml.graphdrawing.org/xmlns\">\n"
				 "  <key id=\"label\" for=\"node\" attr.name=\"NodeLabel\" attr.type=\"string\"/>\n"
				 "  <key id=\"name\" for=\"node\" attr.name=\"NodeName\" attr.type=\"string\"/>\n"
				 "  <key id=\"props\" for=\"node\" attr.name=\"NodeProperties\" attr.type=\"string\"/>\n"
				 "  <key id=\"elabel\" for=\"edge\" attr.name=\"EdgeLabel\" attr.type=\"string\"/>\n"
				 "  <graph id=\"xsm\" edgedefault=\"directed\">\n");
		for (i = 0; i < g->nodes.n && rc == 0; i++) {
			xsm_buf p = XSM_BUF_INIT;
			xsm_jw w;
			const xsm__node *nd = &g->nodes.v[i];
			xsm_jw_init(&w, &p);
			xsm__graph_props_json(&w, g, nd->props_off, nd->props_n);
			xsm_buf_puts(&b, "    <node id=\"");
			xml_text(&b, xsm__gstr(g, nd->id));
			xsm_buf_puts(&b, "\"><data key=\"label\">");
			xml_text(&b, xsm__gstr(g, nd->label));
			xsm_buf_puts(&b, "</data><data key=\"name\">");
			xml_text(&b, xsm__gstr(g, nd->name));
			xsm_buf_puts(&b, "</data><data key=\"props\">");
			xml_text(&b, p.ptr ? p.ptr : "{}");
			xsm_buf_puts(&b, "</data></node>\n");
			xsm_buf_dispose(&p);
			rc = flush_fd(g, fd, &b, 0);
		}
		for (i = 0; i < g->edges.n && rc == 0; i++) {
			const xsm__edge *e = &g->edges.v[i];
			char eid[20];
			xsm__edge_id(eid, e);
			xsm_buf_puts(&b, "    <edge id=\"");
			xml_text(&b, eid);
			xsm_buf_puts(&b, "\" source=\"");
			xml_text(&b, xsm__gstr(g, g->nodes.v[e->src].id));
			xsm_buf_puts(&b, "\" target=\"");
			xml_text(&b, xsm__gstr(g, g->nodes.v[e->dst].id));
			xsm_buf_puts(&b, "\"><data key=\"elabel\">");
			xml_text(&b, xsm__gstr(g, e->label));
			xsm_buf_puts(&b, "</data></edge>\n");
			rc = flush_fd(g, fd, &b, 0);
		}
		xsm_buf_puts(&b, "  </graph>\n</graphml>\n");
		break;
	default:
		rc = xsm__error_set(g->ctx, XSM_EUSAGE, "unknown export format");
	}
	if (rc == 0)
		rc = flush_fd(g, fd, &b, 1);
	xsm_buf_dispose(&b);
	return rc;
}

/* a CSV field: always quoted, quotes doubled (what neo4j-admin import reads) */
static void csv(xsm_buf *b, const char *s, int last)
{
	xsm_buf_putc(b, '"');
	for (; *s; s++) {
		if (*s == '"')
			xsm_buf_putc(b, '"');
		xsm_buf_putc(b, *s == '\n' ? ' ' : *s);
	}
	xsm_buf_puts(b, last ? "\"\n" : "\",");
}

static const char neo4j_nodes_header[] = "nodeId:ID,name,label,categories:string[],properties,:LABEL\n";
static const char neo4j_rels_header[] = ":START_ID,:END_ID,:TYPE,edgeId,label\n";

int xsm_graph_export_neo4j(const xsm_graph *cg, const char *dir)
{
	xsm_graph *g = (xsm_graph *)cg;
	xsm_buf path = XSM_BUF_INIT, b = XSM_BUF_INIT;
	xsm__afile af;
	size_t i;
	int rc;

	if ((rc = xsm__fs_mkdirs(g->ctx, dir, 0700)) < 0)
		return rc;
	xsm_buf_printf(&path, "%s/nodes.csv", dir);
	if ((rc = xsm__afile_open(&af, g->ctx, path.ptr, 0600, 1)) < 0)
		goto done;
	rc = xsm__afile_put(neo4j_nodes_header, sizeof(neo4j_nodes_header) - 1, &af);
	for (i = 0; i < g->nodes.n && rc == 0; i++) {
		const xsm__node *nd = &g->nodes.v[i];
		xsm_buf cats = XSM_BUF_INIT, props = XSM_BUF_INIT, lab = XSM_BUF_INIT;
		xsm_jw w;
		for (uint32_t k = 0; k < nd->cats_n; k++)
			xsm_buf_printf(&cats, "%s%s", k ? ";" : "", xsm__gstr(g, g->u32.v[nd->cats_off + k]));
		xsm_jw_init(&w, &props);
		xsm__graph_props_json(&w, g, nd->props_off, nd->props_n);
		/* neo4j labels: letters, digits and '_' only */
		for (const char *s = xsm__gstr(g, nd->label); *s; s++)
			xsm_buf_putc(&lab, (isalnum_c(*s)) ? *s : '_');
		csv(&b, xsm__gstr(g, nd->id), 0);
		csv(&b, xsm__gstr(g, nd->name), 0);
		csv(&b, xsm__gstr(g, nd->label), 0);
		csv(&b, cats.ptr ? cats.ptr : "", 0);
		csv(&b, props.ptr ? props.ptr : "{}", 0);
		csv(&b, lab.ptr ? lab.ptr : "Node", 1);
		rc = xsm__afile_put(b.ptr, b.size, &af);
		xsm_buf_clear(&b);
		xsm_buf_dispose(&cats);
		xsm_buf_dispose(&props);
		xsm_buf_dispose(&lab);
	}
	if (rc < 0 || (rc = xsm__afile_commit(&af, g->ctx)) < 0)
		goto done;
	xsm_buf_clear(&path);
	xsm_buf_printf(&path, "%s/relationships.csv", dir);
	if ((rc = xsm__afile_open(&af, g->ctx, path.ptr, 0600, 1)) < 0)
		goto done;
	rc = xsm__afile_put(neo4j_rels_header, sizeof(neo4j_rels_header) - 1, &af);
	for (i = 0; i < g->edges.n && rc == 0; i++) {
		const xsm__edge *e = &g->edges.v[i];
		xsm_buf type = XSM_BUF_INIT;
		/* relationship types upper-case with '_' ("member of" -> MEMBER_OF) */
		for (const char *s = xsm__gstr(g, e->label); *s; s++)
			xsm_buf_putc(&type, isalnum_c(*s) ? (char)(*s >= 'a' && *s <= 'z' ? *s - 32 : *s) : '_');
		csv(&b, xsm__gstr(g, g->nodes.v[e->src].id), 0);
		csv(&b, xsm__gstr(g, g->nodes.v[e->dst].id), 0);
		csv(&b, type.ptr ? type.ptr : "RELATED", 0);
		{
			char eid[20];
			xsm__edge_id(eid, e);
			csv(&b, eid, 0);
		}
		csv(&b, xsm__gstr(g, e->label), 1);
		rc = xsm__afile_put(b.ptr, b.size, &af);
		xsm_buf_clear(&b);
		xsm_buf_dispose(&type);
	}
	rc = rc < 0 ? rc : xsm__afile_commit(&af, g->ctx);
done:
	xsm__afile_abort(&af);
	xsm_buf_dispose(&path);
	xsm_buf_dispose(&b);
	return rc;
}
