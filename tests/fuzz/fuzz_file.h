/* For fuzz targets whose parser reads a file: the input as a path. */
#ifndef TESTS_FUZZ_FUZZ_FILE_H
#define TESTS_FUZZ_FUZZ_FILE_H

#include <stdint.h>
#include <stdio.h>
#include <sys/mman.h>
#include <unistd.h>

/* Put data in an anonymous file and name it in path; returns its fd
 * (close it when done), or -1. */
static inline int
fuzz_file(const uint8_t *data, size_t size, char *path, size_t len)
{
	int	fd = memfd_create("fuzz", 0);

	if (fd < 0)
		return -1;
	if (write(fd, data, size) != (ssize_t)size) {
		close(fd);
		return -1;
	}
	snprintf(path, len, "/proc/self/fd/%d", fd);
	return fd;
}

#endif
