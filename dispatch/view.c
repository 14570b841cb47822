/* Shapes stored rows into API answers. */
#include "dispatch/view.h"

#include <string.h>

#include "dispatch/clock.h"

static int
view_is_time(const char *k)
{
	size_t	n = strlen(k);

	return (n > 3 && strcmp(k + n - 3, "_at") == 0) || strcmp(k, "vetted_until") == 0 ||
	    strcmp(k, "at") == 0;
}

json_t *
view_row(json_t *row)
{
	const char	*k;
	json_t		*v, *parsed;
	char		 ts[CLOCK_RFC3339_LEN];
	void		*iter;

	if (row == NULL)
		return NULL;
	for (iter = json_object_iter(row); iter != NULL; iter = json_object_iter_next(row, iter)) {
		k = json_object_iter_key(iter);
		v = json_object_iter_value(iter);
		if (view_is_time(k) && json_is_integer(v)) {
			clock_rfc3339(json_integer_value(v), ts);
			json_object_iter_set_new(row, iter, json_string(ts));
		} else if ((strcmp(k, "features") == 0 || strcmp(k, "needs") == 0 ||
		    strcmp(k, "consent") == 0) && json_is_string(v)) {
			parsed = json_loads(json_string_value(v), 0, NULL);
			json_object_iter_set_new(row, iter, parsed ? parsed : json_null());
		} else if (strcmp(k, "escort") == 0 && json_is_integer(v)) {
			json_object_iter_set_new(row, iter, json_boolean(json_integer_value(v)));
		}
	}
	json_object_del(row, "risk_rank");
	return row;
}

json_t *
view_rows(json_t *rows)
{
	size_t	 i;
	json_t	*r;

	json_array_foreach(rows, i, r)
		view_row(r);
	return rows;
}

void
view_ref(json_t *row, const char *key, const char *name)
{
	json_t	*v = json_object_get(row, key);

	if (json_is_string(v))
		json_object_set_new(row, name, json_pack("{s:O}", "id", v));
	else
		json_object_set_new(row, name, json_null());
	if (strcmp(key, name) != 0)
		json_object_del(row, key);
}

const char *
view_str(json_t *row, const char *key)
{
	const char	*s = json_string_value(json_object_get(row, key));

	return s ? s : "";
}

long long
view_int(json_t *row, const char *key)
{
	return json_integer_value(json_object_get(row, key));
}
