/* Shapes stored rows into API answers: times as RFC 3339, JSON columns
 * parsed, references as {"id": ...} objects, internal columns dropped. */
#ifndef DISPATCH_VIEW_H
#define DISPATCH_VIEW_H

#include <jansson.h>

/* Reshape one row in place; returns it. NULL is passed through. */
json_t	*view_row(json_t *row);

/* Reshape every row of an array in place; returns it. */
json_t	*view_rows(json_t *rows);

/* Replace key (an id string or null) by {"id": ...} or null, under name. */
void	 view_ref(json_t *row, const char *key, const char *name);

/* The string at key, or "" (never NULL). */
const char *view_str(json_t *row, const char *key);

/* The integer at key, or 0. */
long long view_int(json_t *row, const char *key);

#endif
