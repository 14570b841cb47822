/* Districts from GeoJSON: validation with caps, neighbours by a segment
 * grid (touching or within 1 km), location by bbox then point-in-polygon. */
#include "geo/district.h"

#include <jansson.h>
#include <math.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "geo/geo.h"
#include "geo/grid.h"

struct districts {
	struct district	*d;
	size_t		 n;
};

struct district_errs {
	const char	*path;
	char		*buf;
	size_t		 len;
	int		 n;
};

static void
district_err(struct district_errs *e, const char *fmt, ...)
{
	char	 msg[512], line[800], *p;
	va_list	 ap;
	size_t	 n;

	if (e->n >= 50)		/* enough to act on */
		return;
	va_start(ap, fmt);
	vsnprintf(msg, sizeof(msg), fmt, ap);
	va_end(ap);
	snprintf(line, sizeof(line), "%s: %s\n", e->path, msg);
	n = strlen(line);
	if ((p = realloc(e->buf, e->len + n + 1)) == NULL)
		return;
	memcpy(p + e->len, line, n + 1);
	e->buf = p;
	e->len += n;
	e->n++;
}

static void
district_clear(struct district *d)
{
	size_t	i;

	free(d->id); free(d->name); free(d->name_ky); free(d->name_ru); free(d->oblast);
	for (i = 0; i < d->nrings; i++)
		free(d->rings[i]);
	free(d->rings);
	free(d->ring_len);
	free(d->neighbors);
}

void
districts_free(struct districts *ds)
{
	size_t	i;

	if (ds == NULL)
		return;
	for (i = 0; i < ds->n; i++)
		district_clear(&ds->d[i]);
	free(ds->d);
	free(ds);
}

static char *
district_prop(json_t *props, const char *key)
{
	json_t	*v = json_object_get(props, key);

	return json_is_string(v) ? strdup(json_string_value(v)) : NULL;
}

/* Read one ring; returns 0 or -1 after reporting. */
static int
district_ring(struct district_errs *e, size_t fi, json_t *ring, struct district *d,
    size_t *total)
{
	size_t	 n, i;
	double	*pts, lon, lat;
	json_t	*pt;
	void	*p;

	if (!json_is_array(ring) || (n = json_array_size(ring)) < 4) {
		district_err(e, "features[%zu]: a ring needs at least 4 positions", fi);
		return -1;
	}
	if (n > DISTRICT_MAX_RING || *total + n > DISTRICT_MAX_VERTICES) {
		district_err(e, "features[%zu]: too many vertices (ring cap %d, file cap %d)",
		    fi, DISTRICT_MAX_RING, DISTRICT_MAX_VERTICES);
		return -1;
	}
	if ((pts = malloc(n * 2 * sizeof(double))) == NULL)
		return -1;
	for (i = 0; i < n; i++) {
		pt = json_array_get(ring, i);
		if (!json_is_array(pt) || json_array_size(pt) < 2 ||
		    !json_is_number(json_array_get(pt, 0)) ||
		    !json_is_number(json_array_get(pt, 1))) {
			district_err(e, "features[%zu]: position %zu is not [lon, lat]", fi, i);
			free(pts);
			return -1;
		}
		lon = json_number_value(json_array_get(pt, 0));
		lat = json_number_value(json_array_get(pt, 1));
		if (!geo_valid(lat, lon)) {
			district_err(e, "features[%zu]: position %zu out of range", fi, i);
			free(pts);
			return -1;
		}
		pts[2 * i] = lon;
		pts[2 * i + 1] = lat;
	}
	if (pts[0] != pts[2 * n - 2] || pts[1] != pts[2 * n - 1]) {
		district_err(e, "features[%zu]: ring is not closed (first position != last)", fi);
		free(pts);
		return -1;
	}
	p = realloc(d->rings, (d->nrings + 1) * sizeof(*d->rings));
	if (p == NULL) {
		free(pts);
		return -1;
	}
	d->rings = p;
	if ((p = realloc(d->ring_len, (d->nrings + 1) * sizeof(*d->ring_len))) == NULL) {
		free(pts);
		return -1;
	}
	d->ring_len = p;
	d->rings[d->nrings] = pts;
	d->ring_len[d->nrings++] = n;
	*total += n;
	return 0;
}

static int
district_polygon(struct district_errs *e, size_t fi, json_t *poly, struct district *d,
    size_t *total)
{
	size_t	i;

	if (!json_is_array(poly) || json_array_size(poly) == 0) {
		district_err(e, "features[%zu]: a polygon needs at least one ring", fi);
		return -1;
	}
	for (i = 0; i < json_array_size(poly); i++)
		if (district_ring(e, fi, json_array_get(poly, i), d, total) != 0)
			return -1;
	return 0;
}

static int
district_contains(const struct district *d, double lat, double lon)
{
	size_t	i;
	int	c = 0;

	if (lat < d->minlat || lat > d->maxlat || lon < d->minlon || lon > d->maxlon)
		return 0;
	for (i = 0; i < d->nrings; i++)
		c ^= geo_ring_crossings(d->rings[i], d->ring_len[i], lon, lat);
	return c;
}

/* A label point: the bbox centre if inside, else the middle of the widest
 * inside run on the centre latitude, else the first vertex. */
static void
district_label(struct district *d)
{
	double	lat = (d->minlat + d->maxlat) / 2, lon, best = -1, run0 = 0, w;
	int	steps = 200, i, in, was = 0;

	d->label_lat = d->rings[0][1];
	d->label_lon = d->rings[0][0];
	for (i = 0; i <= steps; i++) {
		lon = d->minlon + (d->maxlon - d->minlon) * i / steps;
		in = district_contains(d, lat, lon);
		if (in && !was)
			run0 = lon;
		if ((!in || i == steps) && was) {
			w = lon - run0;
			if (w > best) {
				best = w;
				d->label_lat = lat;
				d->label_lon = (run0 + lon) / 2;
			}
		}
		was = in;
	}
}

static int
district_feature(struct district_errs *e, size_t fi, json_t *f, struct district *d,
    size_t *total)
{
	json_t		*props, *geom, *coords;
	const char	*type;
	size_t		 i, r;
	int		 rc = 0;

	props = json_object_get(f, "properties");
	geom = json_object_get(f, "geometry");
	if (!json_is_object(props)) {
		district_err(e, "features[%zu]: properties missing", fi);
		return -1;
	}
	d->id = district_prop(props, "id");
	d->name = district_prop(props, "name");
	d->name_ky = district_prop(props, "name_ky");
	d->name_ru = district_prop(props, "name_ru");
	d->oblast = district_prop(props, "oblast");
	if (d->id == NULL || d->id[0] == '\0' || strlen(d->id) > 64) {
		district_err(e, "features[%zu]: property \"id\" must be a string of 1-64 bytes", fi);
		rc = -1;
	}
	if (d->name == NULL || d->name[0] == '\0') {
		district_err(e, "features[%zu]: property \"name\" must be a non-empty string", fi);
		rc = -1;
	}
	if (!json_is_object(geom) || !json_is_string(json_object_get(geom, "type")) ||
	    !json_is_array(coords = json_object_get(geom, "coordinates"))) {
		district_err(e, "features[%zu]: geometry must be a Polygon or MultiPolygon", fi);
		return -1;
	}
	type = json_string_value(json_object_get(geom, "type"));
	if (strcmp(type, "Polygon") == 0) {
		if (district_polygon(e, fi, coords, d, total) != 0)
			return -1;
	} else if (strcmp(type, "MultiPolygon") == 0) {
		if (json_array_size(coords) == 0) {
			district_err(e, "features[%zu]: empty MultiPolygon", fi);
			return -1;
		}
		for (i = 0; i < json_array_size(coords); i++)
			if (district_polygon(e, fi, json_array_get(coords, i), d, total) != 0)
				return -1;
	} else {
		district_err(e, "features[%zu]: geometry type %s is not Polygon or MultiPolygon",
		    fi, type);
		return -1;
	}
	d->minlat = d->minlon = INFINITY;
	d->maxlat = d->maxlon = -INFINITY;
	for (r = 0; r < d->nrings; r++) {
		for (i = 0; i < d->ring_len[r]; i++) {
			d->minlon = fmin(d->minlon, d->rings[r][2 * i]);
			d->maxlon = fmax(d->maxlon, d->rings[r][2 * i]);
			d->minlat = fmin(d->minlat, d->rings[r][2 * i + 1]);
			d->maxlat = fmax(d->maxlat, d->rings[r][2 * i + 1]);
		}
	}
	district_label(d);
	return rc;
}

static int
district_add_neighbor(struct district *d, size_t j)
{
	size_t	 i;
	size_t	*p;

	for (i = 0; i < d->nneighbors; i++)
		if (d->neighbors[i] == j)
			return 0;
	if ((p = realloc(d->neighbors, (d->nneighbors + 1) * sizeof(*p))) == NULL)
		return -1;
	d->neighbors = p;
	d->neighbors[d->nneighbors++] = j;
	return 0;
}

/* Segment references packed for the grid: district, ring, index. */
struct district_seg {
	uint32_t	district, ring, idx;
};

struct district_probe {
	struct districts	*ds;
	struct district_seg	*segs;
	size_t			 self;
	double			 lat, lon;
	unsigned char		*near;	/* per district: already a neighbour */
};

static void
district_probe_seg(uint32_t item, void *arg)
{
	struct district_probe		*pr = arg;
	const struct district_seg	*s = &pr->segs[item];
	const double			*p;

	if (s->district == pr->self || pr->near[s->district])
		return;
	p = &pr->ds->d[s->district].rings[s->ring][2 * s->idx];
	if (geo_point_segment_m(pr->lat, pr->lon, p[1], p[0], p[3], p[2]) <= DISTRICT_NEIGHBOR_M)
		pr->near[s->district] = 1;
}

/* Neighbours: any vertex of one district within 1 km of a boundary
 * segment of another (touching included), found through a segment grid. */
static int
districts_neighbors(struct districts *ds)
{
	struct grid		*g = NULL;
	struct district_seg	*segs = NULL;
	struct district_probe	 pr;
	size_t			 nseg = 0, a, r, i, b;
	double			 maxlat = 0, cell, dlat, dlon;
	int			 rc = -1;

	for (a = 0; a < ds->n; a++) {
		maxlat = fmax(maxlat, fmax(fabs(ds->d[a].minlat), fabs(ds->d[a].maxlat)));
		for (r = 0; r < ds->d[a].nrings; r++)
			nseg += ds->d[a].ring_len[r] - 1;
	}
	if (maxlat > 89)
		maxlat = 89;
	/* Cells at least 1 km wide at the highest latitude in the file. */
	dlat = DISTRICT_NEIGHBOR_M / 110540.0;
	dlon = DISTRICT_NEIGHBOR_M / (111320.0 * cos(maxlat * M_PI / 180));
	cell = fmax(dlat, dlon) * 1.2;
	memset(&pr, 0, sizeof(pr));
	if ((g = grid_new(cell)) == NULL || (segs = calloc(nseg + 1, sizeof(*segs))) == NULL ||
	    (pr.near = calloc(ds->n, 1)) == NULL)
		goto out;
	nseg = 0;
	for (a = 0; a < ds->n; a++) {
		for (r = 0; r < ds->d[a].nrings; r++) {
			const double *p = ds->d[a].rings[r];
			for (i = 0; i + 1 < ds->d[a].ring_len[r]; i++, p += 2) {
				segs[nseg] = (struct district_seg){ (uint32_t)a, (uint32_t)r, (uint32_t)i };
				if (grid_add_box(g, fmin(p[1], p[3]), fmin(p[0], p[2]),
				    fmax(p[1], p[3]), fmax(p[0], p[2]), (uint32_t)nseg) != 0)
					goto out;
				nseg++;
			}
		}
	}
	pr.ds = ds;
	pr.segs = segs;
	for (a = 0; a < ds->n; a++) {
		memset(pr.near, 0, ds->n);
		pr.self = a;
		for (r = 0; r < ds->d[a].nrings; r++) {
			for (i = 0; i < ds->d[a].ring_len[r]; i++) {
				pr.lon = ds->d[a].rings[r][2 * i];
				pr.lat = ds->d[a].rings[r][2 * i + 1];
				grid_query(g, pr.lat - dlat, pr.lon - dlon, pr.lat + dlat,
				    pr.lon + dlon, district_probe_seg, &pr);
			}
		}
		for (b = 0; b < ds->n; b++) {
			if (!pr.near[b])
				continue;
			if (district_add_neighbor(&ds->d[a], b) != 0 ||
			    district_add_neighbor(&ds->d[b], a) != 0)
				goto out;
		}
	}
	rc = 0;
out:
	grid_free(g);
	free(segs);
	free(pr.near);
	return rc;
}

/* Apply "neighbors" properties: they replace the computed lists. */
static int
districts_given_neighbors(struct districts *ds, json_t *features, struct district_errs *e)
{
	json_t	*nb, *v;
	size_t	 i, j;
	long	 k;

	for (i = 0; i < ds->n; i++) {
		nb = json_object_get(json_object_get(json_array_get(features, i), "properties"),
		    "neighbors");
		if (nb == NULL || json_is_null(nb))
			continue;
		if (!json_is_array(nb)) {
			district_err(e, "features[%zu]: \"neighbors\" must be an array of ids", i);
			return -1;
		}
		ds->d[i].nneighbors = 0;
		json_array_foreach(nb, j, v) {
			if (!json_is_string(v) || (k = districts_find(ds, json_string_value(v))) < 0) {
				district_err(e, "features[%zu]: neighbors[%zu] is not a known id", i, j);
				return -1;
			}
			if ((size_t)k != i && district_add_neighbor(&ds->d[i], (size_t)k) != 0)
				return -1;
		}
	}
	return 0;
}

struct districts *
districts_load(const char *path, char **errs)
{
	struct district_errs	 e = { path, NULL, 0, 0 };
	struct districts	*ds = NULL;
	struct stat		 st;
	json_error_t		 jerr;
	json_t			*root = NULL, *features;
	size_t			 i, j, total = 0;

	*errs = NULL;
	if (stat(path, &st) != 0) {
		district_err(&e, "cannot open districts file");
		goto fail;
	}
	if ((size_t)st.st_size > DISTRICT_MAX_FILE) {
		district_err(&e, "file larger than %u bytes", DISTRICT_MAX_FILE);
		goto fail;
	}
	if ((root = json_load_file(path, JSON_REJECT_DUPLICATES, &jerr)) == NULL) {
		free(e.buf);
		e.buf = NULL;
		e.len = 0;
		{
			char line[700];
			snprintf(line, sizeof(line), "%s:%d: %s\n", path, jerr.line, jerr.text);
			e.buf = strdup(line);
		}
		goto fail;
	}
	if (!json_is_object(root) || !json_is_string(json_object_get(root, "type")) ||
	    strcmp(json_string_value(json_object_get(root, "type")), "FeatureCollection") != 0 ||
	    !json_is_array(features = json_object_get(root, "features"))) {
		district_err(&e, "not a GeoJSON FeatureCollection with a \"features\" array");
		goto fail;
	}
	if (json_array_size(features) == 0 || json_array_size(features) > DISTRICT_MAX_FEATURES) {
		district_err(&e, "needs 1 to %d features", DISTRICT_MAX_FEATURES);
		goto fail;
	}
	if ((ds = calloc(1, sizeof(*ds))) == NULL ||
	    (ds->d = calloc(json_array_size(features), sizeof(*ds->d))) == NULL)
		goto fail;
	ds->n = json_array_size(features);
	for (i = 0; i < ds->n; i++)
		district_feature(&e, i, json_array_get(features, i), &ds->d[i], &total);
	for (i = 0; i < ds->n && e.n == 0; i++)
		for (j = i + 1; j < ds->n; j++)
			if (strcmp(ds->d[i].id, ds->d[j].id) == 0)
				district_err(&e, "features[%zu]: duplicate id \"%s\"", j, ds->d[j].id);
	if (e.n > 0)
		goto fail;
	if (districts_neighbors(ds) != 0) {
		district_err(&e, "out of memory computing neighbours");
		goto fail;
	}
	if (districts_given_neighbors(ds, features, &e) != 0)
		goto fail;
	json_decref(root);
	return ds;
fail:
	json_decref(root);
	districts_free(ds);
	if (e.buf == NULL)
		e.buf = strdup("districts: out of memory\n");
	*errs = e.buf;
	return NULL;
}

size_t
districts_count(const struct districts *ds)
{
	return ds->n;
}

const struct district *
districts_at(const struct districts *ds, size_t i)
{
	return i < ds->n ? &ds->d[i] : NULL;
}

long
districts_find(const struct districts *ds, const char *id)
{
	size_t	i;

	if (id == NULL)
		return -1;
	for (i = 0; i < ds->n; i++)
		if (ds->d[i].id != NULL && strcmp(ds->d[i].id, id) == 0)
			return (long)i;
	return -1;
}

long
districts_locate(const struct districts *ds, double lat, double lon)
{
	size_t	i;

	if (!geo_valid(lat, lon))
		return -1;
	for (i = 0; i < ds->n; i++)
		if (district_contains(&ds->d[i], lat, lon))
			return (long)i;
	return -1;
}

int
districts_adjacent(const struct districts *ds, size_t a, size_t b)
{
	size_t	i;

	for (i = 0; i < ds->d[a].nneighbors; i++)
		if (ds->d[a].neighbors[i] == b)
			return 1;
	return 0;
}
