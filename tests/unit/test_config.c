/* Unit tests: the config loader, durations, numbers, env overrides. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "config/config.h"
#include "tests/unit/testutil.h"

static char *
write_tmp(const char *text)
{
	return test_write_tmp(text, ".ini");
}

static void
test_duration(void **state)
{
	long	v;

	(void)state;
	assert_int_equal(config_parse_duration("90", &v), 0);
	assert_int_equal(v, 90);
	assert_int_equal(config_parse_duration("90s", &v), 0);
	assert_int_equal(v, 90);
	assert_int_equal(config_parse_duration("5m", &v), 0);
	assert_int_equal(v, 300);
	assert_int_equal(config_parse_duration("2h", &v), 0);
	assert_int_equal(v, 7200);
	assert_int_not_equal(config_parse_duration("", &v), 0);
	assert_int_not_equal(config_parse_duration("5x", &v), 0);
	assert_int_not_equal(config_parse_duration("-5m", &v), 0);
	assert_int_not_equal(config_parse_duration(" 5", &v), 0);
	assert_int_not_equal(config_parse_duration("m", &v), 0);
}

static void
test_long(void **state)
{
	long	v;

	(void)state;
	assert_int_equal(config_parse_long("42", 0, 100, &v), 0);
	assert_int_equal(v, 42);
	assert_int_not_equal(config_parse_long("101", 0, 100, &v), 0);
	assert_int_not_equal(config_parse_long("4 2", 0, 100, &v), 0);
	assert_int_not_equal(config_parse_long("0x10", 0, 100, &v), 0);
	assert_int_not_equal(config_parse_long("99999999999999999999", 0, 100, &v), 0);
}

static void
test_defaults(void **state)
{
	struct config	*cfg;
	char		*errs = NULL;

	(void)state;
	cfg = config_load(NULL, &errs);
	assert_non_null(cfg);
	assert_string_equal(cfg->listen_host, "127.0.0.1");
	assert_int_equal(cfg->listen_port, 8080);
	assert_int_equal(cfg->offer_timeout, 90);
	assert_int_equal(cfg->stall_picked_up, 3 * 3600);
	assert_int_equal(cfg->escalation_max_level, 3);
	assert_string_equal(cfg->default_lang, "ru");
	config_free(cfg);
}

static void
test_file_and_relative_paths(void **state)
{
	struct config	*cfg;
	char		*errs = NULL, *path;

	(void)state;
	path = write_tmp("[server]\nlisten = 127.0.0.1:9090\n[storage]\ndatabase = db/x.db\n"
	    "[dispatch]\noffer_timeout = 2m\n");
	cfg = config_load(path, &errs);
	assert_non_null(cfg);
	assert_int_equal(cfg->listen_port, 9090);
	assert_int_equal(cfg->offer_timeout, 120);
	assert_string_equal(cfg->database, "/tmp/db/x.db");
	assert_string_equal(cfg->key_file, "/tmp/var/jardam.key");
	config_free(cfg);
	unlink(path);
	free(path);
}

static void
test_every_error_with_line(void **state)
{
	struct config	*cfg;
	char		*errs = NULL, *path, want[256];

	(void)state;
	path = write_tmp("[server]\nlisten = 127.0.0.1:0\n; comment\n[dispatch]\n"
	    "offer_timeout = soon\nbogus = 1\n[escalation]\nmax_level = 99\n");
	cfg = config_load(path, &errs);
	assert_null(cfg);
	assert_non_null(errs);
	snprintf(want, sizeof(want), "%s:2: [server] listen: port 0 is not allowed", path);
	assert_non_null(strstr(errs, want));
	snprintf(want, sizeof(want), "%s:5: [dispatch] offer_timeout", path);
	assert_non_null(strstr(errs, want));
	snprintf(want, sizeof(want), "%s:6: unknown key [dispatch] bogus", path);
	assert_non_null(strstr(errs, want));
	snprintf(want, sizeof(want), "%s:8: [escalation] max_level", path);
	assert_non_null(strstr(errs, want));
	free(errs);
	unlink(path);
	free(path);
}

static void
test_env_override(void **state)
{
	struct config	*cfg;
	char		*errs = NULL;

	(void)state;
	setenv("JARDAM_DISPATCH_OFFER_PARALLEL_HIGH", "5", 1);
	setenv("JARDAM_NOTIFY_DEFAULT_LANG", "ky", 1);
	cfg = config_load(NULL, &errs);
	assert_non_null(cfg);
	assert_int_equal(cfg->offer_parallel_high, 5);
	assert_string_equal(cfg->default_lang, "ky");
	config_free(cfg);
	setenv("JARDAM_NOTIFY_DEFAULT_LANG", "fr", 1);
	cfg = config_load(NULL, &errs);
	assert_null(cfg);
	assert_non_null(strstr(errs, "JARDAM_NOTIFY_DEFAULT_LANG"));
	free(errs);
	unsetenv("JARDAM_DISPATCH_OFFER_PARALLEL_HIGH");
	unsetenv("JARDAM_NOTIFY_DEFAULT_LANG");
}

static void
test_short_secret(void **state)
{
	struct config	*cfg;
	char		*errs = NULL, *path;

	(void)state;
	path = write_tmp("[notify]\nwebhook_secret = short\n");
	cfg = config_load(path, &errs);
	assert_null(cfg);
	assert_non_null(strstr(errs, "webhook_secret"));
	free(errs);
	unlink(path);
	free(path);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_duration),
		cmocka_unit_test(test_long),
		cmocka_unit_test(test_defaults),
		cmocka_unit_test(test_file_and_relative_paths),
		cmocka_unit_test(test_every_error_with_line),
		cmocka_unit_test(test_env_override),
		cmocka_unit_test(test_short_secret),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
