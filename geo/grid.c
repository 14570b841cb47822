/* A uniform lat/lon grid kept in an open-addressing hash of cells. */
#include "geo/grid.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

struct grid_cell {
	int32_t		 x, y;
	int		 used;
	uint32_t	*items;
	size_t		 n, cap;
};

struct grid {
	double		  cell;
	struct grid_cell *cells;
	size_t		  ncells, cap;	/* cap is a power of two */
};

static uint64_t
grid_hash(int32_t x, int32_t y)
{
	uint64_t	h = ((uint64_t)(uint32_t)x << 32) | (uint32_t)y;

	h ^= h >> 33;
	h *= 0xff51afd7ed558ccdULL;
	h ^= h >> 33;
	return h;
}

struct grid *
grid_new(double cell_deg)
{
	struct grid	*g;

	if (!(cell_deg > 0) || (g = calloc(1, sizeof(*g))) == NULL)
		return NULL;
	g->cell = cell_deg;
	g->cap = 256;
	if ((g->cells = calloc(g->cap, sizeof(*g->cells))) == NULL) {
		free(g);
		return NULL;
	}
	return g;
}

void
grid_free(struct grid *g)
{
	size_t	i;

	if (g == NULL)
		return;
	for (i = 0; i < g->cap; i++)
		free(g->cells[i].items);
	free(g->cells);
	free(g);
}

static struct grid_cell *
grid_slot(struct grid_cell *cells, size_t cap, int32_t x, int32_t y)
{
	size_t	i = (size_t)grid_hash(x, y) & (cap - 1);

	while (cells[i].used && (cells[i].x != x || cells[i].y != y))
		i = (i + 1) & (cap - 1);
	return &cells[i];
}

static int
grid_grow(struct grid *g)
{
	struct grid_cell	*nc, *s;
	size_t			 ncap = g->cap * 2, i;

	if ((nc = calloc(ncap, sizeof(*nc))) == NULL)
		return -1;
	for (i = 0; i < g->cap; i++) {
		if (!g->cells[i].used)
			continue;
		s = grid_slot(nc, ncap, g->cells[i].x, g->cells[i].y);
		*s = g->cells[i];
	}
	free(g->cells);
	g->cells = nc;
	g->cap = ncap;
	return 0;
}

static int
grid_put(struct grid *g, int32_t x, int32_t y, uint32_t item)
{
	struct grid_cell	*c;
	uint32_t		*p;

	if ((g->ncells + 1) * 2 > g->cap && grid_grow(g) != 0)
		return -1;
	c = grid_slot(g->cells, g->cap, x, y);
	if (!c->used) {
		c->used = 1;
		c->x = x;
		c->y = y;
		g->ncells++;
	}
	if (c->n == c->cap) {
		c->cap = c->cap ? c->cap * 2 : 4;
		if ((p = realloc(c->items, c->cap * sizeof(*p))) == NULL)
			return -1;
		c->items = p;
	}
	c->items[c->n++] = item;
	return 0;
}

static int32_t
grid_coord(const struct grid *g, double deg)
{
	return (int32_t)floor(deg / g->cell);
}

int
grid_add_box(struct grid *g, double minlat, double minlon, double maxlat,
    double maxlon, uint32_t item)
{
	int32_t	x, y;

	for (x = grid_coord(g, minlon); x <= grid_coord(g, maxlon); x++)
		for (y = grid_coord(g, minlat); y <= grid_coord(g, maxlat); y++)
			if (grid_put(g, x, y, item) != 0)
				return -1;
	return 0;
}

int
grid_add(struct grid *g, double lat, double lon, uint32_t item)
{
	return grid_put(g, grid_coord(g, lon), grid_coord(g, lat), item);
}

void
grid_remove(struct grid *g, double lat, double lon, uint32_t item)
{
	struct grid_cell	*c;
	size_t			 i;

	c = grid_slot(g->cells, g->cap, grid_coord(g, lon), grid_coord(g, lat));
	if (!c->used)
		return;
	for (i = 0; i < c->n; i++) {
		if (c->items[i] == item) {
			c->items[i] = c->items[--c->n];
			return;
		}
	}
}

void
grid_query(const struct grid *g, double minlat, double minlon, double maxlat,
    double maxlon, void (*fn)(uint32_t, void *), void *arg)
{
	const struct grid_cell	*c;
	int32_t			 x, y;
	size_t			 i;

	for (x = grid_coord(g, minlon); x <= grid_coord(g, maxlon); x++) {
		for (y = grid_coord(g, minlat); y <= grid_coord(g, maxlat); y++) {
			c = grid_slot(g->cells, g->cap, x, y);
			if (!c->used)
				continue;
			for (i = 0; i < c->n; i++)
				fn(c->items[i], arg);
		}
	}
}
