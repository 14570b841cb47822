/* Benchmark baseline: the least an evhttp server can do — a fixed JSON
 * body for GET and POST — so Jardam's figures are ratios to it measured
 * in the same run on the same machine. Usage: baseline PORT */
#include <event2/buffer.h>
#include <event2/event.h>
#include <event2/http.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static const char baseline_body[] = "{\"status\":\"ok\"}\n";

static void
baseline_cb(struct evhttp_request *req, void *arg)
{
	struct evbuffer	*buf = arg;

	evbuffer_drain(buf, evbuffer_get_length(buf));
	evbuffer_add(buf, baseline_body, sizeof(baseline_body) - 1);
	evhttp_add_header(evhttp_request_get_output_headers(req), "Content-Type",
	    "application/json");
	evhttp_send_reply(req, 200, "OK", buf);
}

int
main(int argc, char **argv)
{
	struct event_base	*base = event_base_new();
	struct evhttp		*http = evhttp_new(base);
	struct evbuffer		*buf = evbuffer_new();
	char			*end;
	long			 port;

	if (argc != 2 || (port = strtol(argv[1], &end, 10)) <= 0 || port > 65535 || *end) {
		fprintf(stderr, "usage: baseline PORT\n");
		return 64;
	}
	evhttp_set_allowed_methods(http, EVHTTP_REQ_GET | EVHTTP_REQ_POST);
	evhttp_set_gencb(http, baseline_cb, buf);
	if (evhttp_bind_socket(http, "127.0.0.1", (ev_uint16_t)port) != 0) {
		fprintf(stderr, "baseline: cannot listen on %ld\n", port);
		return 1;
	}
	event_base_dispatch(base);
	return 0;
}
