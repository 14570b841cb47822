/* libFuzzer: request bodies through the depth cap and the strict parser,
 * and the number and time parsers that read query strings and config. */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "config/config.h"
#include "dispatch/clock.h"
#include "dispatch/input.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	char	 err[256], *s;
	json_t	*v;
	long	 l;
	int64_t	 t;

	v = input_json_object((const char *)data, size, 32, err, sizeof(err));
	json_decref(v);
	if (size < 64 && (s = malloc(size + 1)) != NULL) {
		memcpy(s, data, size);
		s[size] = '\0';
		config_parse_duration(s, &l);
		config_parse_long(s, -1000, 1000, &l);
		clock_parse(s, &t);
		free(s);
	}
	return 0;
}
