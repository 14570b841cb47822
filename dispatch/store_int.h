/* Private to the store*.c files: statement helpers over the one connection.
 * Bind formats: s = const char * (NULL binds NULL), i = int64_t, d = double,
 * b = const void *, size_t (blob), n = NULL. */
#ifndef DISPATCH_STORE_INT_H
#define DISPATCH_STORE_INT_H

#include <jansson.h>
#include <stdint.h>

struct store;

/* Run a write; number of changed rows, or -1 (the unit is marked failed). */
int	store_exec(struct store *, const char *sql, const char *fmt, ...);

/* All rows as an array of objects keyed by column name; NULL on error. */
json_t	*store_rows(struct store *, const char *sql, const char *fmt, ...);

/* Call fn with each row as an object (freed after the call), without
 * holding them all; 0, or -1 on error. */
int	store_each(struct store *, void (*fn)(json_t *, void *), void *arg, const char *sql,
	    const char *fmt, ...);

/* The first row as an object, or NULL when there is none or on error. */
json_t	*store_row(struct store *, const char *sql, const char *fmt, ...);

/* The rowid of the last row inserted. */
int64_t	 store_last_rowid(struct store *);

/* The first column of the first row as an integer, or def. */
int64_t	 store_int(struct store *, int64_t def, const char *sql, const char *fmt, ...);

/* The first column of the first row as a blob copy (caller frees), or NULL. */
void	*store_blob(struct store *, size_t *len, const char *sql, const char *fmt, ...);

#endif
