/* `redflag serve`: what its two files share (cmd_serve.c: the HTTP service;
 * serve_metrics.c: the request counters and their Prometheus text). */
#ifndef REDFLAG_SERVE_H
#define REDFLAG_SERVE_H

#include <stdio.h>

/* The paths counted apart; anything else is SERVE_OTHER. */
enum { SERVE_SCREEN, SERVE_LOOKUP, SERVE_HEALTH, SERVE_FEEDS, SERVE_METRICS, SERVE_OTHER,
       SERVE_NPATHS };

/* The path's index for url (exact match), SERVE_OTHER when unknown. */
int serve_path_index(const char *url);
/* Count one answered request: its path index, HTTP status and seconds taken. */
void serve_metrics_request(int path, unsigned status, double seconds);
/* Count screened records: good ones, unreadable ones. */
void serve_metrics_records(unsigned long good, unsigned long bad);
/* Count one reload of the index: ok, or failed (the old one kept). */
void serve_metrics_reload(int ok);
/* Write every counter, the latency histogram and the records, in the
 * Prometheus text format (version 0.0.4), to fp. */
void serve_metrics_write(FILE *fp);

#endif
