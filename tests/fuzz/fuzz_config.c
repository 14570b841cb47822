/* libFuzzer: the INI config loader on arbitrary files. */
#include <stdint.h>
#include <stdlib.h>

#include "config/config.h"
#include "tests/fuzz/fuzz_file.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	char	 path[64], *errs = NULL;
	int	 fd;

	if ((fd = fuzz_file(data, size, path, sizeof(path))) < 0)
		return 0;
	config_free(config_load(path, &errs));
	free(errs);
	close(fd);
	return 0;
}
