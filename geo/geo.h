/* Pure geometry on the sphere and the plane: distances, rings. */
#ifndef GEO_GEO_H
#define GEO_GEO_H

#include <stddef.h>

/* Great-circle distance in metres (haversine, mean Earth radius). */
double	geo_distance_m(double lat1, double lon1, double lat2, double lon2);

/* Crossings of a ray from (lon, lat) eastwards with one closed ring of
 * n points stored as lon,lat pairs: odd means inside that ring. */
int	geo_ring_crossings(const double *ring, size_t n, double lon, double lat);

/* Distance in metres from a point to a segment, in a local flat
 * projection around the point (good to well under 1 % below 10 km). */
double	geo_point_segment_m(double lat, double lon, double alat, double alon,
	    double blat, double blon);

/* True when lat/lon are finite and within [-90,90] x [-180,180]. */
int	geo_valid(double lat, double lon);

#endif
