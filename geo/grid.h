/* A uniform lat/lon grid: items (32-bit numbers) filed under the cells a
 * point or box covers, for nearest-first searches without a full scan. */
#ifndef GEO_GRID_H
#define GEO_GRID_H

#include <stddef.h>
#include <stdint.h>

struct grid;

/* A grid of cells cell_deg degrees on a side. */
struct grid	*grid_new(double cell_deg);
void		 grid_free(struct grid *);

/* File item under every cell the box touches; -1 on out of memory. */
int		 grid_add_box(struct grid *, double minlat, double minlon,
		    double maxlat, double maxlon, uint32_t item);

/* File item under the cell of one point. */
int		 grid_add(struct grid *, double lat, double lon, uint32_t item);

/* Take item out of the cell of one point (no-op if absent). */
void		 grid_remove(struct grid *, double lat, double lon, uint32_t item);

/* Call fn for each item filed in the cells that the box touches (an item
 * filed in several cells may come more than once). */
void		 grid_query(const struct grid *, double minlat, double minlon,
		    double maxlat, double maxlon, void (*fn)(uint32_t, void *), void *arg);

#endif
