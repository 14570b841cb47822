/* Outside input checked before it is trusted: JSON bodies with a depth
 * cap, parsed strictly (duplicate keys, invalid UTF-8 refused). */
#ifndef DISPATCH_INPUT_H
#define DISPATCH_INPUT_H

#include <jansson.h>
#include <stddef.h>

/* Deepest nesting of arrays and objects in p[0..n), strings skipped;
 * nothing is parsed. */
int	 input_json_depth(const char *p, size_t n);

/* The JSON object in p[0..n), or NULL with a reason in err: nested
 * deeper than maxdepth, malformed, not UTF-8, duplicate keys, or not an
 * object. */
json_t	*input_json_object(const char *p, size_t n, int maxdepth, char *err, size_t errlen);

#endif
