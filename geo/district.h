/* Districts: loaded from a GeoJSON FeatureCollection, validated, with
 * neighbours (touching or within 1 km, unless given) and point location. */
#ifndef GEO_DISTRICT_H
#define GEO_DISTRICT_H

#include <stddef.h>

#define DISTRICT_MAX_FILE	(64u * 1024 * 1024)
#define DISTRICT_MAX_FEATURES	5000
#define DISTRICT_MAX_RING	1000000
#define DISTRICT_MAX_VERTICES	5000000
#define DISTRICT_NEIGHBOR_M	1000.0

struct district {
	char	*id, *name, *name_ky, *name_ru, *oblast;
	double	 minlat, minlon, maxlat, maxlon;
	double	 label_lat, label_lon;	/* a point inside, for distances */
	double	**rings;		/* lon,lat pairs; outer rings and holes */
	size_t	*ring_len;
	size_t	 nrings;
	size_t	*neighbors;		/* indexes into the set */
	size_t	 nneighbors;
};

struct districts;

/* Load and validate path. On failure return NULL and fill errs with
 * newline-separated "path: message" lines (caller frees). */
struct districts	*districts_load(const char *path, char **errs);
void			 districts_free(struct districts *);

size_t			 districts_count(const struct districts *);
const struct district	*districts_at(const struct districts *, size_t i);

/* Index of the district with this id, or -1. */
long			 districts_find(const struct districts *, const char *id);

/* Index of the district containing the point, or -1 (holes respected). */
long			 districts_locate(const struct districts *, double lat, double lon);

/* True when a and b are neighbours. */
int			 districts_adjacent(const struct districts *, size_t a, size_t b);

#endif
