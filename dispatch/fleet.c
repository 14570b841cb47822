/* The fleet in memory: members in an array, an id hash, and per-district
 * lists of the available ones (swap-remove keeps updates O(1)). */
#include "dispatch/fleet.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "geo/district.h"
#include "geo/geo.h"
#include "geo/grid.h"

#define FLEET_CELL_DEG	0.01	/* about 1.1 km */

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
	struct grid		*grid;		/* the same members by position */
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
		f->side[k].grid = grid_new(FLEET_CELL_DEG);
		if (f->side[k].lists == NULL || f->side[k].hash == NULL || f->side[k].grid == NULL) {
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
		grid_free(s->grid);
		s->grid = grid_new(FLEET_CELL_DEG);
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
		grid_free(f->side[k].grid);
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
fleet_unlist(struct fleet_side *s, size_t i)
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
	grid_remove(s->grid, e->m.lat, e->m.lon, (uint32_t)i);
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
	if (grid_add(s->grid, e->m.lat, e->m.lon, (uint32_t)i) != 0)
		return -1;
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
	fleet_unlist(s, (size_t)i);
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
		fleet_unlist(s, (size_t)i);
}

int
fleet_any_near(const struct fleet *f, enum fleet_kind kind, long district)
{
	const struct district	*d;
	size_t			 i;

	if (district < 0 || (size_t)district >= f->nd)
		return 0;
	if (f->side[kind].lists[district].n > 0)
		return 1;
	d = districts_at(f->ds, (size_t)district);
	for (i = 0; i < d->nneighbors; i++)
		if (f->side[kind].lists[d->neighbors[i]].n > 0)
			return 1;
	return 0;
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

/* A search: the constraints, the districts allowed, and the best so far. */
struct fleet_search {
	const struct fleet_side	*s;
	double			 lat, lon, kx;
	int			 seats;
	unsigned		 need;
	int64_t			 now;
	json_t			*exclude;
	const long		*allowed;
	size_t			 nallowed;
	struct fleet_hit	*out;
	double			 dist[64];	/* flat squared distance, for ranking */
	size_t			 n, want;
};

static int
fleet_allowed(const struct fleet_search *q, long district)
{
	size_t	i;

	for (i = 0; i < q->nallowed; i++)
		if (q->allowed[i] == district)
			return 1;
	return 0;
}

/* Keep entry i among the want nearest that fit. */
static void
fleet_consider(struct fleet_search *q, uint32_t i)
{
	const struct fleet_entry	*e = &q->s->e[i];
	double				 d;
	size_t				 k, j;

	if (e->m.seats < q->seats || (e->m.features & q->need) != q->need ||
	    e->m.vetted_until <= q->now)
		return;
	d = (e->m.lat - q->lat) * (e->m.lat - q->lat) +
	    (e->m.lon - q->lon) * q->kx * (e->m.lon - q->lon) * q->kx;
	if (q->n == q->want && d >= q->dist[q->n - 1])
		return;
	for (j = 0; j < q->n; j++)	/* a grid box may list it twice */
		if (strcmp(q->out[j].id, e->id) == 0)
			return;
	if (q->exclude != NULL && fleet_excluded(q->exclude, e->id))
		return;
	k = q->n < q->want ? q->n++ : q->n - 1;
	while (k > 0 && q->dist[k - 1] > d) {
		q->dist[k] = q->dist[k - 1];
		q->out[k] = q->out[k - 1];
		k--;
	}
	q->dist[k] = d;
	snprintf(q->out[k].id, sizeof(q->out[k].id), "%s", e->id);
	q->out[k].distance_m = geo_distance_m(q->lat, q->lon, e->m.lat, e->m.lon);
}

static void
fleet_consider_cell(uint32_t i, void *arg)
{
	struct fleet_search	*q = arg;

	if (fleet_allowed(q, q->s->e[i].m.district))
		fleet_consider(q, i);
}

/*
 * The want nearest in the allowed districts: boxes of growing size around
 * the pickup in the position grid, until the want-th found is nearer than
 * the box's edge; or, when a box would read more cells than the districts
 * hold members, one pass over their lists.
 */
static size_t
fleet_search(struct fleet_search *q, const struct districts *ds)
{
	const struct fleet_list	*l;
	const struct district	*d;
	double			 r = FLEET_CELL_DEG, minlat = 90, maxlat = -90, minlon = 180;
	double			 maxlon = -180, cells, edge_m;
	size_t			 i, j, members = 0;

	for (i = 0; i < q->nallowed; i++) {
		members += q->s->lists[q->allowed[i]].n;
		d = districts_at(ds, (size_t)q->allowed[i]);
		minlat = fmin(minlat, d->minlat);
		maxlat = fmax(maxlat, d->maxlat);
		minlon = fmin(minlon, d->minlon);
		maxlon = fmax(maxlon, d->maxlon);
	}
	for (;;) {
		q->n = 0;
		cells = (2 * r / FLEET_CELL_DEG + 1) * (2 * r / q->kx / FLEET_CELL_DEG + 1);
		if (cells >= (double)members || (q->lat - r <= minlat && q->lat + r >= maxlat &&
		    q->lon - r / q->kx <= minlon && q->lon + r / q->kx >= maxlon))
			break;
		grid_query(q->s->grid, q->lat - r, q->lon - r / q->kx, q->lat + r, q->lon + r / q->kx,
		    fleet_consider_cell, q);
		edge_m = r * 110540.0;
		if (q->n == q->want && q->out[q->n - 1].distance_m <= edge_m)
			return q->n;
		r *= 2;
	}
	for (i = 0; i < q->nallowed; i++) {
		l = &q->s->lists[q->allowed[i]];
		for (j = 0; j < l->n; j++)
			fleet_consider(q, l->idx[j]);
	}
	return q->n;
}

size_t
fleet_nearest(const struct fleet *f, enum fleet_kind kind, long district, double lat,
    double lon, int seats, unsigned need, int64_t now, json_t *exclude,
    struct fleet_hit *out, size_t want)
{
	struct fleet_search	 q;
	const struct district	*d;
	long			 own[1], nb[64];
	size_t			 n, i;

	if (district < 0 || (size_t)district >= f->nd || want == 0)
		return 0;
	if (want > 64)
		want = 64;
	memset(&q, 0, sizeof(q));
	q.s = &f->side[kind];
	q.lat = lat;
	q.lon = lon;
	q.kx = cos(lat * M_PI / 180);
	q.seats = seats;
	q.need = need;
	q.now = now;
	q.exclude = exclude;
	/* First the request's own district ... */
	own[0] = district;
	q.allowed = own;
	q.nallowed = 1;
	q.out = out;
	q.want = want;
	n = fleet_search(&q, f->ds);
	d = districts_at(f->ds, (size_t)district);
	if (n == want || d->nneighbors == 0)
		return n;
	/* ... then its neighbours, nearest first among them all. */
	for (i = 0; i < d->nneighbors && i < 64; i++)
		nb[i] = (long)d->neighbors[i];
	q.allowed = nb;
	q.nallowed = i;
	q.out = out + n;
	q.want = want - n;
	return n + fleet_search(&q, f->ds);
}
