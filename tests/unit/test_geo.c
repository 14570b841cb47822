/* Unit tests: distances, the shipped districts of Kyrgyzstan (real towns
 * placed in their units), neighbours, validation of bad files, the grid. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "geo/district.h"
#include "geo/geo.h"
#include "geo/grid.h"
#include "tests/unit/testutil.h"

static struct districts *kg;

TEST_KG_FIXTURES(kg)

static const char *
at(double lat, double lon)
{
	long	i = districts_locate(kg, lat, lon);

	return i < 0 ? "(none)" : districts_at(kg, (size_t)i)->id;
}

static void
test_distance(void **state)
{
	double	d;

	(void)state;
	/* Bishkek to Osh: about 300 km as the crow flies. */
	d = geo_distance_m(42.87, 74.59, 40.53, 72.80);
	assert_true(d > 290000 && d < 310000);
	assert_true(geo_distance_m(42.87, 74.59, 42.87, 74.59) < 0.001);
	assert_true(geo_point_segment_m(0, 0.5, 0.001, 0, 0.001, 1) > 100 &&
	    geo_point_segment_m(0, 0.5, 0.001, 0, 0.001, 1) < 120);
}

static void
test_towns(void **state)
{
	(void)state;
	assert_int_equal(districts_count(kg), 55);
	assert_string_equal(at(42.87, 74.59), "bishkek");
	assert_string_equal(at(40.53, 72.80), "osh-city");
	assert_string_equal(at(42.49, 78.39), "karakol-city");
	assert_string_equal(at(42.46, 76.18), "balykchy-city");
	assert_string_equal(at(41.43, 75.99), "naryn-city");
	assert_string_equal(at(42.84, 75.30), "tokmok-city");
	assert_string_equal(at(42.89, 74.85), "ysyk-ata");	/* Kant */
	assert_string_equal(at(42.65, 77.08), "issyk-kul");	/* Cholpon-Ata */
	assert_string_equal(at(42.52, 72.24), "talas-city");
	assert_string_equal(at(43.24, 76.89), "(none)");	/* Almaty, Kazakhstan */
	assert_string_equal(at(91, 0), "(none)");
}

static void
test_holes_and_names(void **state)
{
	const struct district	*d;

	(void)state;
	/* Osh city is the hole of Kara-Suu: a point just outside the city
	 * but inside the raion is Kara-Suu. */
	assert_string_equal(at(40.70, 72.88), "kara-suu");
	d = districts_at(kg, (size_t)districts_find(kg, "at-bashy"));
	assert_non_null(d);
	assert_string_equal(d->name, "At-Bashy");
	assert_string_equal(d->name_ru, "Ат-Башынский");
	d = districts_at(kg, (size_t)districts_find(kg, "ton"));
	assert_string_equal(d->name_ky, "Тоң");
	d = districts_at(kg, (size_t)districts_find(kg, "bishkek"));
	assert_string_equal(d->name_ru, "Бишкек");
	assert_string_equal(d->oblast, "Bishkek");
}

static void
test_neighbors(void **state)
{
	long	b = districts_find(kg, "bishkek"), a = districts_find(kg, "alamudun");
	long	o = districts_find(kg, "osh-city"), k = districts_find(kg, "kara-suu");
	long	kr = districts_find(kg, "karakol-city");

	(void)state;
	assert_true(districts_adjacent(kg, (size_t)b, (size_t)a));
	assert_true(districts_adjacent(kg, (size_t)a, (size_t)b));
	assert_true(districts_adjacent(kg, (size_t)o, (size_t)k));
	assert_false(districts_adjacent(kg, (size_t)b, (size_t)o));
	assert_false(districts_adjacent(kg, (size_t)b, (size_t)kr));
}

static struct districts *
load_text(const char *text, char **errs)
{
	char			*path = test_write_tmp(text, ".json");
	struct districts	*ds = districts_load(path, errs);

	unlink(path);
	free(path);
	return ds;
}

#define SQ(id, x0, y0, x1, y1) "{\"type\":\"Feature\",\"properties\":{\"id\":\"" id "\"," \
	"\"name\":\"" id "\"},\"geometry\":{\"type\":\"Polygon\",\"coordinates\":[[[" #x0 "," #y0 \
	"],[" #x1 "," #y0 "],[" #x1 "," #y1 "],[" #x0 "," #y1 "],[" #x0 "," #y0 "]]]}}"

static void
test_small_file_neighbors(void **state)
{
	struct districts	*ds;
	char			*errs = NULL;

	(void)state;
	/* a and b touch; c is 0.005 deg (~550 m) from b; d is far away. */
	ds = load_text("{\"type\":\"FeatureCollection\",\"features\":[" SQ("a", 0, 0, 1, 1) ","
	    SQ("b", 1, 0, 2, 1) "," SQ("c", 2.005, 0, 3, 1) "," SQ("d", 10, 10, 11, 11) "]}", &errs);
	assert_non_null(ds);
	assert_true(districts_adjacent(ds, 0, 1));
	assert_true(districts_adjacent(ds, 1, 2));
	assert_false(districts_adjacent(ds, 0, 2));
	assert_false(districts_adjacent(ds, 0, 3));
	assert_int_equal(districts_locate(ds, 0.5, 1.5), 1);
	districts_free(ds);
}

static void
test_given_neighbors(void **state)
{
	struct districts	*ds;
	char			*errs = NULL;

	(void)state;
	ds = load_text("{\"type\":\"FeatureCollection\",\"features\":["
	    "{\"type\":\"Feature\",\"properties\":{\"id\":\"a\",\"name\":\"A\",\"neighbors\":[\"d\"]},"
	    "\"geometry\":{\"type\":\"Polygon\",\"coordinates\":[[[0,0],[1,0],[1,1],[0,1],[0,0]]]}},"
	    SQ("b", 1, 0, 2, 1) "," SQ("d", 10, 10, 11, 11) "]}", &errs);
	assert_non_null(ds);
	assert_true(districts_adjacent(ds, 0, 2));
	assert_false(districts_adjacent(ds, 0, 1));
	districts_free(ds);
}

static void
test_bad_files(void **state)
{
	struct districts	*ds;
	char			*errs = NULL;

	(void)state;
	ds = load_text("{\"type\":\"FeatureCollection\",\"features\":["
	    "{\"type\":\"Feature\",\"properties\":{\"id\":\"a\",\"name\":\"A\"},"
	    "\"geometry\":{\"type\":\"Polygon\",\"coordinates\":[[[0,0],[1,0],[1,1],[0,1]]]}}]}", &errs);
	assert_null(ds);
	assert_non_null(strstr(errs, "not closed"));
	free(errs);
	ds = load_text("{\"type\":\"FeatureCollection\",\"features\":[" SQ("a", 0, 0, 1, 1) ","
	    SQ("a", 1, 0, 2, 1) "]}", &errs);
	assert_null(ds);
	assert_non_null(strstr(errs, "duplicate id"));
	free(errs);
	ds = load_text("{\"type\":\"FeatureCollection\",\"features\":["
	    "{\"type\":\"Feature\",\"properties\":{\"name\":\"A\"},"
	    "\"geometry\":{\"type\":\"Point\",\"coordinates\":[0,0]}}]}", &errs);
	assert_null(ds);
	assert_non_null(strstr(errs, "\"id\""));
	assert_non_null(strstr(errs, "Polygon"));
	free(errs);
	ds = load_text("{\"type\":\"FeatureCollection\",\"features\":[" SQ("a", 0, 0, 1, 1) ",", &errs);
	assert_null(ds);
	assert_non_null(strstr(errs, ":1:"));
	free(errs);
	ds = load_text("{\"type\":\"FeatureCollection\",\"features\":["
	    "{\"type\":\"Feature\",\"properties\":{\"id\":\"a\",\"name\":\"A\"},"
	    "\"geometry\":{\"type\":\"Polygon\",\"coordinates\":[[[0,0],[1,0],[1,200],[0,0]]]}}]}", &errs);
	assert_null(ds);
	assert_non_null(strstr(errs, "out of range"));
	free(errs);
}

static void
test_hole(void **state)
{
	struct districts	*ds;
	char			*errs = NULL;

	(void)state;
	ds = load_text("{\"type\":\"FeatureCollection\",\"features\":["
	    "{\"type\":\"Feature\",\"properties\":{\"id\":\"ring\",\"name\":\"R\"},"
	    "\"geometry\":{\"type\":\"Polygon\",\"coordinates\":[[[0,0],[3,0],[3,3],[0,3],[0,0]],"
	    "[[1,1],[2,1],[2,2],[1,2],[1,1]]]}}]}", &errs);
	assert_non_null(ds);
	assert_int_equal(districts_locate(ds, 0.5, 0.5), 0);
	assert_int_equal(districts_locate(ds, 1.5, 1.5), -1);
	districts_free(ds);
}

static void
count_item(uint32_t item, void *arg)
{
	(void)item;
	(*(int *)arg)++;
}

static void
test_grid(void **state)
{
	struct grid	*g = grid_new(0.1);
	int		 n = 0;

	(void)state;
	assert_int_equal(grid_add(g, 42.87, 74.59, 1), 0);
	assert_int_equal(grid_add(g, 40.53, 72.80, 2), 0);
	assert_int_equal(grid_add_box(g, 42.0, 74.0, 42.25, 74.25, 3), 0);
	grid_query(g, 42.8, 74.5, 42.9, 74.7, count_item, &n);
	assert_int_equal(n, 1);
	n = 0;
	grid_query(g, 42.1, 74.1, 42.1, 74.1, count_item, &n);
	assert_int_equal(n, 1);
	grid_remove(g, 42.87, 74.59, 1);
	n = 0;
	grid_query(g, 42.8, 74.5, 42.9, 74.7, count_item, &n);
	assert_int_equal(n, 0);
	grid_free(g);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_distance),
		cmocka_unit_test(test_towns),
		cmocka_unit_test(test_holes_and_names),
		cmocka_unit_test(test_neighbors),
		cmocka_unit_test(test_small_file_neighbors),
		cmocka_unit_test(test_given_neighbors),
		cmocka_unit_test(test_bad_files),
		cmocka_unit_test(test_hole),
		cmocka_unit_test(test_grid),
	};

	return cmocka_run_group_tests(tests, setup, teardown);
}
