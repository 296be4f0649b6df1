// SPDX-License-Identifier: GPL-2.0
#include <dlfcn.h>
#include <errno.h>
#include <netdb.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <microhttpd.h>
#include "exporter.h"
#include "httpd.h"

/*
 * libmicrohttpd, and gnutls with its seven libraries under it, is loaded by
 * serve alone: a trace never maps them, which spares it 2.3 MB of resident
 * pages and 17 ms of dynamic linking (measured on Debian 12). Its SONAME
 * is Debian 12's, as the build's headers are.
 */
#define MHD_SONAME "libmicrohttpd.so.12"

static struct {
	struct MHD_Daemon *(*start_daemon)(unsigned int flags, uint16_t port,
					   MHD_AcceptPolicyCallback apc, void *apc_cls,
					   MHD_AccessHandlerCallback dh, void *dh_cls, ...);
	void (*stop_daemon)(struct MHD_Daemon *d);
	struct MHD_Response *(*create_response_from_buffer)(size_t size, void *buffer,
							      enum MHD_ResponseMemoryMode mode);
	enum MHD_Result (*add_response_header)(struct MHD_Response *r, const char *header,
					       const char *content);
	enum MHD_Result (*queue_response)(struct MHD_Connection *c, unsigned int status,
					  struct MHD_Response *r);
	void (*destroy_response)(struct MHD_Response *r);
} mhd;

static int mhd_load(char *why, size_t len)
{
	const struct {
		const char *name;
		void **fn;
	} fns[] = {
		{ "MHD_start_daemon", (void **)&mhd.start_daemon },
		{ "MHD_stop_daemon", (void **)&mhd.stop_daemon },
		{ "MHD_create_response_from_buffer", (void **)&mhd.create_response_from_buffer },
		{ "MHD_add_response_header", (void **)&mhd.add_response_header },
		{ "MHD_queue_response", (void **)&mhd.queue_response },
		{ "MHD_destroy_response", (void **)&mhd.destroy_response },
	};
	void *dl;
	size_t i;

	if (mhd.start_daemon)
		return 0;
	dl = dlopen(MHD_SONAME, RTLD_NOW | RTLD_LOCAL);
	if (!dl) {
		snprintf(why, len, "failed to load the HTTP library: %s", dlerror());
		return -ENOENT;
	}
	for (i = 0; i < sizeof(fns) / sizeof(fns[0]); i++) {
		*fns[i].fn = dlsym(dl, fns[i].name);
		if (!*fns[i].fn) {
			snprintf(why, len, "failed to load the HTTP library: %s", dlerror());
			memset(&mhd, 0, sizeof(mhd));
			dlclose(dl);
			return -ENOENT;
		}
	}
	return 0;
}

/* Scrapers that stall are cut off; none can hold a thread for long. */
#define CONNECTION_TIMEOUT_S 10
#define CONNECTION_LIMIT 256

struct httpd {
	struct MHD_Daemon *d;
	struct exporter *e;
};

static const char index_page[] =
	"oomtrace exporter: /metrics (Prometheus text format), "
	"/events (the latest records, JSON lines), /healthz\n";

static enum MHD_Result reply(struct MHD_Connection *c, unsigned int status,
			     const char *type, char *body, size_t len,
			     enum MHD_ResponseMemoryMode mode)
{
	struct MHD_Response *r;
	enum MHD_Result ret;

	r = mhd.create_response_from_buffer(len, body, mode);
	if (!r) {
		if (mode == MHD_RESPMEM_MUST_FREE)
			free(body);
		return MHD_NO;
	}
	mhd.add_response_header(r, MHD_HTTP_HEADER_CONTENT_TYPE, type);
	ret = mhd.queue_response(c, status, r);
	mhd.destroy_response(r);
	return ret;
}

static enum MHD_Result reply_text(struct MHD_Connection *c, unsigned int status,
				  const char *text)
{
	return reply(c, status, "text/plain; charset=utf-8", (char *)text, strlen(text),
		     MHD_RESPMEM_PERSISTENT);
}

static enum MHD_Result handle(void *cls, struct MHD_Connection *c, const char *url,
			      const char *method, const char *version,
			      const char *upload_data, size_t *upload_size, void **state)
{
	struct httpd *h = cls;
	char *buf = NULL;
	size_t len = 0;
	int err;

	if (strcmp(method, MHD_HTTP_METHOD_GET) && strcmp(method, MHD_HTTP_METHOD_HEAD))
		return reply_text(c, MHD_HTTP_METHOD_NOT_ALLOWED, "only GET and HEAD\n");
	if (!strcmp(url, "/metrics")) {
		err = exporter_metrics(h->e, &buf, &len);
		if (err)
			return reply_text(c, MHD_HTTP_INTERNAL_SERVER_ERROR, "out of memory\n");
		return reply(c, MHD_HTTP_OK, "text/plain; version=0.0.4; charset=utf-8",
			     buf, len, MHD_RESPMEM_MUST_FREE);
	}
	if (!strcmp(url, "/events")) {
		err = exporter_events(h->e, &buf, &len);
		if (err)
			return reply_text(c, MHD_HTTP_INTERNAL_SERVER_ERROR, "out of memory\n");
		return reply(c, MHD_HTTP_OK, "application/x-ndjson", buf, len,
			     MHD_RESPMEM_MUST_FREE);
	}
	if (!strcmp(url, "/healthz")) {
		if (exporter_is_ready(h->e))
			return reply_text(c, MHD_HTTP_OK, "ok\n");
		return reply_text(c, MHD_HTTP_SERVICE_UNAVAILABLE, "not attached yet\n");
	}
	if (!strcmp(url, "/"))
		return reply_text(c, MHD_HTTP_OK, index_page);
	return reply_text(c, MHD_HTTP_NOT_FOUND, "not found\n");
}

/* "127.0.0.1:19100", "[::1]:19100", ":19100" (every address). */
static int parse_listen(const char *listen, struct addrinfo **ai, char *why, size_t len)
{
	struct addrinfo hints = {
		.ai_flags = AI_NUMERICHOST | AI_NUMERICSERV | AI_PASSIVE,
		.ai_socktype = SOCK_STREAM,
	};
	char host[256];
	const char *port = strrchr(listen, ':');
	size_t n;
	int err;

	if (!port || !port[1]) {
		snprintf(why, len, "--listen %s: want ADDR:PORT", listen);
		return -EINVAL;
	}
	n = port - listen;
	if (n >= 2 && listen[0] == '[' && listen[n - 1] == ']') {
		listen++;
		n -= 2;
	}
	if (n >= sizeof(host)) {
		snprintf(why, len, "--listen %s: address too long", listen);
		return -EINVAL;
	}
	memcpy(host, listen, n);
	host[n] = '\0';
	err = getaddrinfo(n ? host : NULL, port + 1, &hints, ai);
	if (err) {
		snprintf(why, len, "--listen %s: %s", listen, gai_strerror(err));
		return -EINVAL;
	}
	return 0;
}

int httpd_listen(const char *addr, char *why, size_t len)
{
	struct addrinfo *ai = NULL;
	int fd, one = 1, err;

	/* now, so that it is loaded when the tracer pins its code */
	err = mhd_load(why, len);
	if (err)
		return err;
	err = parse_listen(addr, &ai, why, len);
	if (err)
		return err;
	fd = socket(ai->ai_family, SOCK_STREAM | SOCK_CLOEXEC, 0);
	if (fd < 0 || setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof(one)) ||
	    bind(fd, ai->ai_addr, ai->ai_addrlen) || listen(fd, SOMAXCONN)) {
		err = -errno;
		snprintf(why, len, "failed to listen on %s: %s", addr, strerror(errno));
		if (fd >= 0)
			close(fd);
		fd = err;
	}
	freeaddrinfo(ai);
	return fd;
}

struct httpd *httpd_start(int sock, struct exporter *e, char *why, size_t len)
{
	struct httpd *h = calloc(1, sizeof(*h));

	if (!h) {
		snprintf(why, len, "%s", strerror(ENOMEM));
		close(sock);
		return NULL;
	}
	h->e = e;
	h->d = mhd.start_daemon(MHD_USE_AUTO_INTERNAL_THREAD, 0, NULL, NULL, handle, h,
				MHD_OPTION_LISTEN_SOCKET, sock,
				MHD_OPTION_CONNECTION_TIMEOUT, (unsigned int)CONNECTION_TIMEOUT_S,
				MHD_OPTION_CONNECTION_LIMIT, (unsigned int)CONNECTION_LIMIT,
				MHD_OPTION_END);
	if (!h->d) {
		snprintf(why, len, "failed to start the HTTP server: %s",
			 errno ? strerror(errno) : "libmicrohttpd refused");
		close(sock);
		free(h);
		return NULL;
	}
	return h;
}

void httpd_stop(struct httpd *h)
{
	if (!h)
		return;
	mhd.stop_daemon(h->d);
	free(h);
}
