/* SPDX-License-Identifier: GPL-2.0 */
/* The exporter's HTTP server (libmicrohttpd): /metrics, /events, /healthz. */
#ifndef __HTTPD_H
#define __HTTPD_H

#include <stddef.h>

struct exporter;
struct httpd;

/* Load libmicrohttpd, then bind and listen on "ADDR:PORT" ("[ADDR]:PORT"
 * for IPv6) while we still may: the socket, or -errno with why[] filled. */
int httpd_listen(const char *addr, char *why, size_t len);
/* Serve on that socket, in threads of its own (started once privileges are
 * dropped: capabilities are per thread). NULL with why[] filled. */
struct httpd *httpd_start(int sock, struct exporter *e, char *why, size_t len);
void httpd_stop(struct httpd *h);

#endif /* __HTTPD_H */
