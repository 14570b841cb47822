/* The fleet in memory: members in an array, an id hash, and per-district
 * lists of the available ones (swap-remove keeps updates O(1)). */
#include "dispatch/fleet.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "geo/district.h"
#include "geo/geo.h"

struct fleet_entry {
	struct fleet_member	 m;
	char			*id;
	size_t			 slot;	/* position in its district list */
	int			 listed;
};

struct fleet_list {
	uint32_t	*idx;
	size_t		 n, cap;
};

struct fleet_side {
	struct fleet_entry	*e;
	size_t			 n, cap;
	uint32_t		*hash;		/* entry index + 1; 0 = empty */
	size_t			 hcap;
	struct fleet_list	*lists;		/* one per district */
	size_t			 available;
};

struct fleet {
	const struct districts	*ds;
	size_t			 nd;
	struct fleet_side	 side[2];
};

static const char *const fleet_feature_names[] = { "child_seat", "wheelchair",
    "female_driver" };

long
fleet_features(json_t *names)
{
	size_t	 i, k;
	long	 mask = 0;
	json_t	*v;

	json_array_foreach(names, i, v) {
		if (!json_is_string(v))
			return -1;
		for (k = 0; k < 3; k++)
			if (strcmp(json_string_value(v), fleet_feature_names[k]) == 0)
				break;
		if (k == 3)
			return -1;
		mask |= 1L << k;
	}
	return mask;
}

static uint64_t
fleet_hash_str(const char *s)
{
	uint64_t	h = 1469598103934665603ULL;

	for (; *s; s++)
		h = (h ^ (unsigned char)*s) * 1099511628211ULL;
	return h;
}

struct fleet *
fleet_new(const struct districts *ds)
{
	struct fleet	*f;
	int		 k;

	if ((f = calloc(1, sizeof(*f))) == NULL)
		return NULL;
	f->ds = ds;
	f->nd = districts_count(ds);
	for (k = 0; k < 2; k++) {
		f->side[k].lists = calloc(f->nd, sizeof(struct fleet_list));
		f->side[k].hcap = 1024;
		f->side[k].hash = calloc(f->side[k].hcap, sizeof(uint32_t));
		if (f->side[k].lists == NULL || f->side[k].hash == NULL) {
			fleet_free(f);
			return NULL;
		}
	}
	return f;
}

void
fleet_clear(struct fleet *f)
{
	size_t	i, k;

	for (k = 0; k < 2; k++) {
		struct fleet_side *s = &f->side[k];
		for (i = 0; i < s->n; i++)
			free(s->e[i].id);
		s->n = 0;
		s->available = 0;
		memset(s->hash, 0, s->hcap * sizeof(uint32_t));
		for (i = 0; i < f->nd; i++)
			s->lists[i].n = 0;
	}
}

void
fleet_free(struct fleet *f)
{
	size_t	i, k;

	if (f == NULL)
		return;
	fleet_clear(f);
	for (k = 0; k < 2; k++) {
		if (f->side[k].lists != NULL)
			for (i = 0; i < f->nd; i++)
				free(f->side[k].lists[i].idx);
		free(f->side[k].lists);
		free(f->side[k].hash);
		free(f->side[k].e);
	}
	free(f);
}

static long
fleet_lookup(const struct fleet_side *s, const char *id)
{
	size_t	i = fleet_hash_str(id) & (s->hcap - 1);

	while (s->hash[i] != 0) {
		if (strcmp(s->e[s->hash[i] - 1].id, id) == 0)
			return (long)s->hash[i] - 1;
		i = (i + 1) & (s->hcap - 1);
	}
	return -1;
}

static int
fleet_rehash(struct fleet_side *s, size_t cap)
{
	uint32_t	*h;
	size_t		 i, j;

	if ((h = calloc(cap, sizeof(*h))) == NULL)
		return -1;
	for (i = 0; i < s->n; i++) {
		j = fleet_hash_str(s->e[i].id) & (cap - 1);
		while (h[j] != 0)
			j = (j + 1) & (cap - 1);
		h[j] = (uint32_t)i + 1;
	}
	free(s->hash);
	s->hash = h;
	s->hcap = cap;
	return 0;
}

static void
fleet_unlist(struct fleet *f, struct fleet_side *s, size_t i)
{
	struct fleet_entry	*e = &s->e[i];
	struct fleet_list	*l;

	if (!e->listed)
		return;
	l = &s->lists[e->m.district];
	l->idx[e->slot] = l->idx[--l->n];
	s->e[l->idx[e->slot]].slot = e->slot;
	e->listed = 0;
	s->available--;
	(void)f;
}

static int
fleet_list_add(struct fleet_side *s, size_t i)
{
	struct fleet_entry	*e = &s->e[i];
	struct fleet_list	*l = &s->lists[e->m.district];
	uint32_t		*p;

	if (l->n == l->cap) {
		l->cap = l->cap ? l->cap * 2 : 16;
		if ((p = realloc(l->idx, l->cap * sizeof(*p))) == NULL)
			return -1;
		l->idx = p;
	}
	e->slot = l->n;
	l->idx[l->n++] = (uint32_t)i;
	e->listed = 1;
	s->available++;
	return 0;
}

int
fleet_put(struct fleet *f, enum fleet_kind kind, const struct fleet_member *m)
{
	struct fleet_side	*s = &f->side[kind];
	struct fleet_entry	*e, *p;
	long			 i;
	size_t			 j;

	if (m->district < 0 || (size_t)m->district >= f->nd)
		return -1;
	if ((i = fleet_lookup(s, m->id)) < 0) {
		if ((s->n + 1) * 2 > s->hcap && fleet_rehash(s, s->hcap * 2) != 0)
			return -1;
		if (s->n == s->cap) {
			s->cap = s->cap ? s->cap * 2 : 64;
			if ((p = realloc(s->e, s->cap * sizeof(*p))) == NULL)
				return -1;
			s->e = p;
		}
		i = (long)s->n++;
		memset(&s->e[i], 0, sizeof(s->e[i]));
		if ((s->e[i].id = strdup(m->id)) == NULL) {
			s->n--;
			return -1;
		}
		j = fleet_hash_str(m->id) & (s->hcap - 1);
		while (s->hash[j] != 0)
			j = (j + 1) & (s->hcap - 1);
		s->hash[j] = (uint32_t)i + 1;
	}
	e = &s->e[i];
	fleet_unlist(f, s, (size_t)i);
	e->m = *m;
	e->m.id = e->id;
	if (m->available)
		return fleet_list_add(s, (size_t)i);
	return 0;
}

void
fleet_set_available(struct fleet *f, enum fleet_kind kind, const char *id, int available)
{
	struct fleet_side	*s = &f->side[kind];
	long			 i;

	if ((i = fleet_lookup(s, id)) < 0)
		return;
	s->e[i].m.available = available;
	if (available && !s->e[i].listed)
		fleet_list_add(s, (size_t)i);
	else if (!available)
		fleet_unlist(f, s, (size_t)i);
}

size_t
fleet_available(const struct fleet *f, enum fleet_kind kind)
{
	return f->side[kind].available;
}

static int
fleet_excluded(json_t *exclude, const char *id)
{
	size_t	 i;
	json_t	*v;

	json_array_foreach(exclude, i, v)
		if (json_is_string(v) && strcmp(json_string_value(v), id) == 0)
			return 1;
	return 0;
}

/* Keep the want nearest of one district list in out[base..], sorted. */
static size_t
fleet_scan(const struct fleet_side *s, const struct fleet_list *l, double lat, double lon,
    int seats, unsigned need, int64_t now, json_t *exclude, struct fleet_hit *out,
    size_t base, size_t want)
{
	const struct fleet_entry	*e;
	double				 kx = cos(lat * M_PI / 180), d;
	size_t				 i, n = 0, k;
	double				 dist[64];

	if (want > 64)
		want = 64;
	for (i = 0; i < l->n; i++) {
		e = &s->e[l->idx[i]];
		if (e->m.seats < seats || (e->m.features & need) != need ||
		    e->m.vetted_until <= now)
			continue;
		/* Rank by a flat approximation; haversine for the chosen. */
		d = (e->m.lat - lat) * (e->m.lat - lat) +
		    (e->m.lon - lon) * kx * (e->m.lon - lon) * kx;
		if (n == want && d >= dist[n - 1])
			continue;
		if (exclude != NULL && fleet_excluded(exclude, e->id))
			continue;
		k = n < want ? n++ : n - 1;
		while (k > 0 && dist[k - 1] > d) {
			dist[k] = dist[k - 1];
			out[base + k] = out[base + k - 1];
			k--;
		}
		dist[k] = d;
		snprintf(out[base + k].id, sizeof(out[base + k].id), "%s", e->id);
		out[base + k].distance_m = geo_distance_m(lat, lon, e->m.lat, e->m.lon);
	}
	return n;
}

static int
fleet_hit_cmp(const void *a, const void *b)
{
	double	da = ((const struct fleet_hit *)a)->distance_m;
	double	db = ((const struct fleet_hit *)b)->distance_m;

	return (da > db) - (da < db);
}

size_t
fleet_nearest(const struct fleet *f, enum fleet_kind kind, long district, double lat,
    double lon, int seats, unsigned need, int64_t now, json_t *exclude,
    struct fleet_hit *out, size_t want)
{
	const struct fleet_side	*s = &f->side[kind];
	const struct district	*d;
	struct fleet_hit	*all;
	size_t			 n, i, m = 0;

	if (district < 0 || (size_t)district >= f->nd || want == 0)
		return 0;
	if (want > 64)
		want = 64;
	n = fleet_scan(s, &s->lists[district], lat, lon, seats, need, now, exclude, out, 0, want);
	d = districts_at(f->ds, (size_t)district);
	if (n == want || d->nneighbors == 0)
		return n;
	/* Then the neighbours: the nearest of each, merged nearest first. */
	if ((all = calloc(d->nneighbors * want, sizeof(*all))) == NULL)
		return n;
	for (i = 0; i < d->nneighbors; i++)
		m += fleet_scan(s, &s->lists[d->neighbors[i]], lat, lon, seats, need, now,
		    exclude, all, m, want - n);
	qsort(all, m, sizeof(*all), fleet_hit_cmp);
	for (i = 0; i < m && n < want; i++)
		out[n++] = all[i];
	free(all);
	return n;
}
