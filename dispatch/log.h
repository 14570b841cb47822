/* One line per event, key=value, to standard error. Never pass a token,
 * password, phone number, address, name or free-text note. */
#ifndef DISPATCH_LOG_H
#define DISPATCH_LOG_H

/* Log "TIME LEVEL msg" where msg is printf-formatted key=value pairs. */
void	log_info(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
void	log_warn(const char *fmt, ...) __attribute__((format(printf, 1, 2)));

#endif
