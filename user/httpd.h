/* SPDX-License-Identifier: GPL-2.0 */
/* The exporter's HTTP server (libmicrohttpd): /metrics, /events, /healthz. */
#ifndef __HTTPD_H
#define __HTTPD_H

#include <stddef.h>

struct exporter;
struct httpd;

/* Listen on "ADDR:PORT" ("[ADDR]:PORT" for IPv6) in threads of its own.
 * NULL with why[] filled when it cannot. */
struct httpd *httpd_start(const char *listen, struct exporter *e, char *why, size_t len);
void httpd_stop(struct httpd *h);

#endif /* __HTTPD_H */
