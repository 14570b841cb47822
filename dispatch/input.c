/* Outside input checked before it is trusted. */
#include "dispatch/input.h"

#include <stdio.h>

int
input_json_depth(const char *p, size_t n)
{
	size_t	i;
	int	depth = 0, max = 0, instr = 0;

	for (i = 0; i < n; i++) {
		if (instr) {
			if (p[i] == '\\')
				i++;
			else if (p[i] == '"')
				instr = 0;
			continue;
		}
		if (p[i] == '"')
			instr = 1;
		else if (p[i] == '[' || p[i] == '{') {
			if (++depth > max)
				max = depth;
		} else if (p[i] == ']' || p[i] == '}')
			depth--;
	}
	return max;
}

json_t *
input_json_object(const char *p, size_t n, int maxdepth, char *err, size_t errlen)
{
	json_error_t	 jerr;
	json_t		*v;

	if (input_json_depth(p, n) > maxdepth) {
		snprintf(err, errlen, "JSON nested deeper than %d", maxdepth);
		return NULL;
	}
	if ((v = json_loadb(p, n, JSON_REJECT_DUPLICATES, &jerr)) == NULL) {
		snprintf(err, errlen, "malformed JSON: %s", jerr.text);
		return NULL;
	}
	if (!json_is_object(v)) {
		json_decref(v);
		snprintf(err, errlen, "the body must be a JSON object");
		return NULL;
	}
	return v;
}
