/* The HTTP layer: evhttp, the route table, limits, security headers, the
 * error JSON, request logs, and answers released after the commit. The
 * only module that touches evhttp requests. */
#ifndef DISPATCH_SERVER_H
#define DISPATCH_SERVER_H

#include <jansson.h>
#include <stddef.h>

struct app;
struct evhttp_request;
struct evkeyvalq;

#define SERVER_MAX_BODY		(64 * 1024)
#define SERVER_MAX_HEADERS	(8 * 1024)
#define SERVER_MAX_DEPTH	32
#define SERVER_ASYNC		0	/* a handler's "I will answer later" */

enum server_role {
	ROLE_PUBLIC,		/* anyone; links carry their own authority */
	ROLE_OPERATOR,		/* a logged-in operator or admin */
	ROLE_ADMIN,		/* a logged-in admin */
};

/* One request being handled. */
struct http {
	struct app		*app;
	struct evhttp_request	*req;
	const char		*method;	/* "GET", "POST", ... */
	const char		*route;		/* the pattern, safe to log */
	char			 path[512];
	char			*args[3];	/* the :segments of the pattern */
	struct evkeyvalq	*query;
	json_t			*body;		/* the JSON object of a POST/PATCH */
	const char		*raw;		/* the raw body (for idempotency) */
	size_t			 rawlen;
	char			 user_id[64];
	char			 role[16];
	char			 session[80];	/* hash of the session token */
	char			 ip[64];
	long long		 start_us;
	/* the answer */
	int			 status;
	json_t			*resp;
	char			*text;		/* HTML, JS, CSS or Prometheus text */
	size_t			 textlen;
	const char		*ctype;
	char			*cookie;	/* Set-Cookie value */
	struct http		*next;		/* queued until the commit */
};

struct route {
	const char		*method;
	const char		*pattern;
	int			(*handler)(struct http *);
	enum server_role	 role;
};

struct server;

/* Listen on the configured address; NULL after printing why. */
struct server	*server_new(struct app *);
void		 server_free(struct server *);

/* The route for method and path, with its :segments in args (caller
 * frees); NULL when none, with *allowed set when the path exists under
 * another method. */
const struct route *server_route(const char *method, const char *path, char **args,
		    const struct route **allowed);

/* Answers sent so far with status klass*100..klass*100+99. */
unsigned long long server_requests(const struct server *, int klass);

/* Set a JSON answer (takes ownership of o); returns status. */
int		 http_json(struct http *, int status, json_t *o);

/* Set the documented error answer; returns status. */
int		 http_error(struct http *, int status, const char *code, const char *fmt, ...)
		    __attribute__((format(printf, 4, 5)));

/* Set a text answer (copies it); returns status. */
int		 http_text(struct http *, int status, const char *ctype, const char *text,
		    size_t len);

/* Finish an answer a handler deferred with SERVER_ASYNC. */
void		 http_finish(struct http *);

/* A query parameter, or NULL. */
const char	*http_query(struct http *, const char *key);

/* A request header, or NULL. */
const char	*http_header(struct http *, const char *key);

/*
 * Body field readers. Each returns 0 and sets *out when the field is
 * present and valid, 1 when absent and optional, or -1 after setting a 400
 * answer (wrong type, out of bounds, missing when required).
 */
int	http_field_str(struct http *, const char *key, int required, size_t maxlen,
	    const char **out);
int	http_field_num(struct http *, const char *key, int required, double min,
	    double max, double *out);
int	http_field_int(struct http *, const char *key, int required, long long min,
	    long long max, long long *out);
int	http_field_bool(struct http *, const char *key, int required, int *out);

/* Build a public link from a token. */
void	http_link(struct http *, const char *token, char *out, size_t outlen);

#endif
