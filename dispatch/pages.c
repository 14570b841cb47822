/* The web pages: served from the table embedded at build time. */
#include "dispatch/pages.h"

#include <string.h>

#include "dispatch/api.h"
#include "dispatch/server.h"

static int
pages_serve(struct http *h, const char *name)
{
	const struct page_file	*f;
	const char		*ext, *ctype;

	for (f = page_files; f->name != NULL; f++)
		if (strcmp(f->name, name) == 0)
			break;
	if (f->name == NULL)
		return http_error(h, 404, "not_found", "no such file");
	ext = strrchr(name, '.');
	ctype = ext == NULL ? "application/octet-stream" :
	    strcmp(ext, ".html") == 0 ? "text/html; charset=utf-8" :
	    strcmp(ext, ".js") == 0 ? "text/javascript; charset=utf-8" :
	    strcmp(ext, ".css") == 0 ? "text/css; charset=utf-8" :
	    strcmp(ext, ".svg") == 0 ? "image/svg+xml" : "application/octet-stream";
	return http_text(h, 200, ctype, f->data, f->len);
}

int
api_page_console(struct http *h)
{
	return pages_serve(h, "console.html");
}

/* The same page for every link; its script reads /api/l/TOKEN. */
int
api_page_link(struct http *h)
{
	return pages_serve(h, "phone.html");
}

int
api_page_static(struct http *h)
{
	if (strcmp(h->args[0], "console.html") == 0 || strcmp(h->args[0], "phone.html") == 0)
		return http_error(h, 404, "not_found", "no such file");
	return pages_serve(h, h->args[0]);
}
