/* The web pages: the operators' console and the phone page for links,
 * embedded in the binary (no CDN, no external fonts or scripts). */
#ifndef DISPATCH_PAGES_H
#define DISPATCH_PAGES_H

#include <stddef.h>

struct page_file {
	const char	*name;
	const char	*data;
	size_t		 len;
};

/* Generated from dispatch/web/ at build time; ends with a NULL name. */
extern const struct page_file page_files[];

#endif
