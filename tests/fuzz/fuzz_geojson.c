/* libFuzzer: the districts loader (GeoJSON validation, neighbours,
 * location) on arbitrary files. */
#include <stdint.h>
#include <stdlib.h>

#include "geo/district.h"
#include "tests/fuzz/fuzz_file.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct districts	*ds;
	char			 path[64], *errs = NULL;
	int			 fd;

	if ((fd = fuzz_file(data, size, path, sizeof(path))) < 0)
		return 0;
	if ((ds = districts_load(path, &errs)) != NULL) {
		districts_locate(ds, 0.5, 0.5);
		districts_free(ds);
	}
	free(errs);
	close(fd);
	return 0;
}
