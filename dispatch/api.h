/* The handlers of the route table, one api_*.c file per resource. */
#ifndef DISPATCH_API_H
#define DISPATCH_API_H

struct http;

/* api_staff.c */
int	api_login(struct http *);
int	api_logout(struct http *);
int	api_me(struct http *);
int	api_user_add(struct http *);
int	api_user_list(struct http *);

/* api_registry.c */
int	api_districts(struct http *);
int	api_locate(struct http *);
int	api_shelter_add(struct http *);
int	api_shelter_list(struct http *);
int	api_vehicle_add(struct http *);
int	api_vehicle_list(struct http *);
int	api_volunteer_add(struct http *);
int	api_volunteer_list(struct http *);
int	api_service_add(struct http *);
int	api_service_list(struct http *);
int	api_relink(struct http *);

/* api_links.c */
int	api_link_get(struct http *);
int	api_link_post(struct http *);

/* api_requests.c */
int	api_request_add(struct http *);
int	api_request_get(struct http *);
int	api_request_list(struct http *);
int	api_request_cancel(struct http *);
int	api_request_patch(struct http *);

/* api_escalations.c */
int	api_escalation_list(struct http *);
int	api_escalation_ack(struct http *);
int	api_referral_add(struct http *);

/* api_reports.c */
int	api_health(struct http *);
int	api_metrics(struct http *);
int	api_report_districts(struct http *);

/* pages.c */
int	api_page_console(struct http *);
int	api_page_link(struct http *);
int	api_page_static(struct http *);

#endif
