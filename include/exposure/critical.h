/*
 * exposure/critical.h - critical asset management: predefined
 * classifications (config/classifications.yaml), custom rules, rule
 * levels and switches, manual levels (STORE/rules/criticality.yaml), and
 * their evaluation over a graph.
 *
 * Levels: 0 very high, 1 high, 2 medium, 3 low, 4 not critical.  The most
 * critical matching enabled rule wins; a manual level overrides the rules.
 */
#ifndef XSM_CRITICAL_H
#define XSM_CRITICAL_H

#include "common.h"
#include "graph.h"
#include "store.h"

XSM_BEGIN_DECL

typedef struct xsm_rules xsm_rules;

/** One rule as the API shows it (strings borrowed for the callback). */
typedef struct xsm_rule_info {
	const char *name, *asset, *description, *when, *evidence;
	int level;          /**< effective level (after `rule level`) */
	int default_level;  /**< the level the rule ships with */
	int enabled;
	int predefined;     /**< 1: from classifications.yaml; 0: custom */
	int detectable;     /**< 0: no ingested data can trigger it (tag-only) */
	size_t matches;     /**< assets matched at the last xsm_critical_apply */
} xsm_rule_info;

/**
 * Load the predefined classifications (classifications.yaml in the data
 * directory: the data.dir setting, else the installed share/xsm) and the
 * store's rules/criticality.yaml.  Every expression is compiled; a bad one
 * is XSM_ECONFIG with file:line:col.  Caller owns *out.
 */
XSM_EXTERN(int) xsm_rules_load(xsm_rules **out, xsm_store *store);
XSM_EXTERN(void) xsm_rules_free(xsm_rules *rules);

/** Call cb for each rule: predefined in file order, then custom by name. */
XSM_EXTERN(int) xsm_rules_foreach(const xsm_rules *rules,
				  int (*cb)(const xsm_rule_info *rule, void *payload), void *payload);

/** Parse a level: 0-3, or very-high, high, medium, low.  -1 when invalid. */
XSM_EXTERN(int) xsm_level_parse(const char *s);
/** "very high", "high", "medium", "low", "none". */
XSM_EXTERN(const char *) xsm_level_name(int level);

/**
 * Add a custom rule.  asset: device, identity or cloud.  XSM_EEXISTS when
 * the name is taken; XSM_EINVALID for a bad expression ("col N: ...").
 * Nothing is stored until xsm_rules_save.
 */
XSM_EXTERN(int) xsm_rules_add(xsm_rules *rules, const char *name, const char *asset, int level,
			      const char *when, const char *description);
/** Change a custom rule; NULL / -1 arguments keep the current value. */
XSM_EXTERN(int) xsm_rules_edit(xsm_rules *rules, const char *name, const char *asset, int level,
			       const char *when, const char *description);
/** Remove a custom rule (predefined rules can only be disabled: XSM_EDENIED). */
XSM_EXTERN(int) xsm_rules_remove(xsm_rules *rules, const char *name);
/** Turn any rule on or off. */
XSM_EXTERN(int) xsm_rules_enable(xsm_rules *rules, const char *name, int enabled);
/** Give any rule another level. */
XSM_EXTERN(int) xsm_rules_set_level(xsm_rules *rules, const char *name, int level);
/** Set (level 0-3) or clear (level -1) the manual level of a node. */
XSM_EXTERN(int) xsm_rules_set_manual(xsm_rules *rules, const char *node_id, int level);
/** The manual level of a node, or -1. */
XSM_EXTERN(int) xsm_rules_manual(const xsm_rules *rules, const char *node_id);

/** Write STORE/rules/criticality.yaml atomically.  Needs the writer lock. */
XSM_EXTERN(int) xsm_rules_save(const xsm_rules *rules, xsm_store *store);

/**
 * Evaluate every enabled rule over g and set each node's
 * criticalityLevel{criticalityLevel, ruleBasedCriticalityLevel, ruleNames}
 * and manualCriticalityLevel (removed where they no longer apply); updates
 * the rules' match counts.  g must be a loaded or built graph.
 */
XSM_EXTERN(int) xsm_critical_apply(xsm_rules *rules, xsm_graph *g);

/**
 * Nodes an expression would match as a rule for asset (NULL: any kind),
 * on g, without saving anything: cb gets each node index.
 */
XSM_EXTERN(int) xsm_critical_preview(const xsm_graph *g, const char *asset, const char *when,
				     int (*cb)(size_t node, void *payload), void *payload);

/** The effective level of node i of g (4 when not critical). */
XSM_EXTERN(int) xsm_critical_level(const xsm_graph *g, size_t i);
/**
 * The nodes of g with an effective level of at most maxlevel (3: every
 * critical asset), most critical first, then by NodeId, each to cb with
 * its level; a non-zero return stops and is returned.  A graph mapped
 * from the store's image (XSM_LOAD_READONLY) has the list made already.
 */
XSM_EXTERN(int) xsm_critical_each(const xsm_graph *g, int maxlevel, int (*cb)(size_t node, int level, void *payload),
				  void *payload);
/** The rule-based level of node i (4 when no rule matches). */
XSM_EXTERN(int) xsm_critical_rule_level(const xsm_graph *g, size_t i);
/** The manual level of node i, or -1. */
XSM_EXTERN(int) xsm_critical_manual_level(const xsm_graph *g, size_t i);
/** The names of the rules that made node i critical: up to max into out (borrowed); returns how many there are. */
XSM_EXTERN(size_t) xsm_critical_rule_names(const xsm_graph *g, size_t i, const char **out, size_t max);

/**
 * Why node i matches the enabled rules that made it critical: for each of
 * them whose expression holds through a relation (memberOf, loggedOnBy),
 * cb gets the rule name, the relation's name and the chain of node
 * indices from node i to the node that satisfies the relation (the groups
 * between, then the group; a device, then the identity logged on to it).
 * A relation nested in another is a chain of its own, from the end of the
 * first.  Strings and the chain are borrowed for the callback.
 */
XSM_EXTERN(int) xsm_critical_explain(const xsm_rules *rules, const xsm_graph *g, size_t i,
				     void (*cb)(const char *rule, const char *relation, const size_t *chain,
						size_t n, void *payload),
				     void *payload);

XSM_END_DECL

#endif
