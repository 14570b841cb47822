/* Helpers shared by the unit tests. */
#ifndef TESTS_UNIT_TESTUTIL_H
#define TESTS_UNIT_TESTUTIL_H

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "geo/district.h"

/* Write text to a new file in /tmp whose name ends in suffix; caller
 * unlinks and frees the returned path. */
static inline char *
test_write_tmp(const char *text, const char *suffix)
{
	char	*path = malloc(64);
	int	 fd;
	FILE	*fp;

	snprintf(path, 64, "/tmp/jardam-test-XXXXXX%s", suffix);
	fd = mkstemps(path, (int)strlen(suffix));
	fp = fdopen(fd, "w");
	fputs(text, fp);
	fclose(fp);
	return path;
}

/* The shipped districts of Kyrgyzstan (tests run from the top folder). */
static inline struct districts *
test_load_kg(void)
{
	char			*errs = NULL;
	struct districts	*ds = districts_load("config/districts/kg.geojson", &errs);

	if (ds == NULL)
		fprintf(stderr, "%s", errs);
	free(errs);
	return ds;
}

/* Group setup and teardown that load the shipped districts into kgvar
 * (the test's own static), for the suites that need them. */
#define TEST_KG_FIXTURES(kgvar)						\
static int								\
setup(void **state)							\
{									\
	(void)state;							\
	kgvar = test_load_kg();						\
	return kgvar ? 0 : -1;						\
}									\
									\
static int								\
teardown(void **state)							\
{									\
	(void)state;							\
	districts_free(kgvar);						\
	return 0;							\
}

#endif
