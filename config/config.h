/* The configuration: one table of keys, an INI loader (inih) with
 * environment overrides, and file:line errors for `jardam check`. */
#ifndef CONFIG_CONFIG_H
#define CONFIG_CONFIG_H

#include <stddef.h>

struct config {
	char	*listen_host;		/* server.listen, host part */
	int	 listen_port;		/* server.listen, port part */
	char	*public_url;
	long	 session_ttl;		/* seconds */
	char	*database;		/* absolute or relative to cwd */
	char	*key_file;
	char	*districts;
	long	 offer_timeout;
	long	 offer_parallel_high;
	long	 stall_accepted;
	long	 stall_en_route;
	long	 stall_picked_up;
	long	 referral_ack_timeout;
	long	 escalation_step;
	long	 escalation_max_level;
	char	*webhook_url;
	char	*webhook_secret;
	char	*default_lang;
	char	*telegram_api;
	char	*telegram_token;
	char	*sms_url;
};

/* Load defaults, then FILE (NULL: defaults only), then JARDAM_<SECTION>_<KEY>
 * from the environment. On any error, print nothing, fill errs (one line
 * each, "file:line: message", newline-separated) and return NULL. */
struct config	*config_load(const char *file, char **errs);

/* Free a config; NULL is a no-op. */
void		 config_free(struct config *);

/* Parse a duration: "90", "90s", "5m", "2h", "1d". 0 on success. */
int		 config_parse_duration(const char *, long *out);

/* Parse a whole decimal number within [min, max]. 0 on success. */
int		 config_parse_long(const char *, long min, long max, long *out);

/* Print every key with its default and help, for --help. */
void		 config_print_keys(void);

#endif
