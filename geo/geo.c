/* Pure geometry on the sphere and the plane: distances, rings. */
#include "geo/geo.h"

#include <math.h>

#define GEO_EARTH_R	6371008.8
#define GEO_RAD(d)	((d) * M_PI / 180.0)

double
geo_distance_m(double lat1, double lon1, double lat2, double lon2)
{
	double	dlat = GEO_RAD(lat2 - lat1), dlon = GEO_RAD(lon2 - lon1);
	double	a = sin(dlat / 2) * sin(dlat / 2) +
	    cos(GEO_RAD(lat1)) * cos(GEO_RAD(lat2)) * sin(dlon / 2) * sin(dlon / 2);

	return 2 * GEO_EARTH_R * atan2(sqrt(a), sqrt(1 - a));
}

int
geo_ring_crossings(const double *ring, size_t n, double lon, double lat)
{
	size_t	i;
	int	c = 0;
	double	x1, y1, x2, y2;

	for (i = 0; i + 1 < n; i++) {
		x1 = ring[2 * i]; y1 = ring[2 * i + 1];
		x2 = ring[2 * i + 2]; y2 = ring[2 * i + 3];
		if ((y1 > lat) != (y2 > lat) &&
		    lon < (x2 - x1) * (lat - y1) / (y2 - y1) + x1)
			c = !c;
	}
	return c;
}

double
geo_point_segment_m(double lat, double lon, double alat, double alon,
    double blat, double blon)
{
	double	kx = cos(GEO_RAD(lat)) * GEO_RAD(GEO_EARTH_R);
	double	ky = GEO_RAD(GEO_EARTH_R);
	double	ax = (alon - lon) * kx, ay = (alat - lat) * ky;
	double	bx = (blon - lon) * kx, by = (blat - lat) * ky;
	double	dx = bx - ax, dy = by - ay, len2 = dx * dx + dy * dy, t;

	t = len2 > 0 ? -(ax * dx + ay * dy) / len2 : 0;
	if (t < 0)
		t = 0;
	if (t > 1)
		t = 1;
	return hypot(ax + t * dx, ay + t * dy);
}

int
geo_valid(double lat, double lon)
{
	return isfinite(lat) && isfinite(lon) && lat >= -90 && lat <= 90 &&
	    lon >= -180 && lon <= 180;
}
