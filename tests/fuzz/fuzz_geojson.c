/* libFuzzer: the districts loader (GeoJSON validation, neighbours,
 * location) on arbitrary files. */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <sys/mman.h>
#include <unistd.h>

#include "geo/district.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct districts	*ds;
	char			 path[64], *errs = NULL;
	int			 fd = memfd_create("geojson", 0);

	if (fd < 0 || write(fd, data, size) != (ssize_t)size) {
		if (fd >= 0)
			close(fd);
		return 0;
	}
	snprintf(path, sizeof(path), "/proc/self/fd/%d", fd);
	if ((ds = districts_load(path, &errs)) != NULL) {
		districts_locate(ds, 0.5, 0.5);
		districts_free(ds);
	}
	free(errs);
	close(fd);
	return 0;
}
