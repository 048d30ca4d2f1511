/*
 * Preloaded into wrk for scenario 2 (LD_PRELOAD): every connection is a full TLS handshake.
 *
 * wrk reconnects by SSL_shutdown + SSL_clear on the same SSL object, and SSL_clear keeps the session
 * of a connection that was shut down: every reconnect after the first offered it, and the servers
 * resumed (nginx logged $ssl_session_reused "r" for 3 036 of 3 040 TLS 1.3 connections and 7 500 of
 * 7 504 TLS 1.2 ones). A resumed TLS 1.2 handshake has no ECDHE and no signature at all. Dropping the
 * session before SSL_clear makes each connection a new client's.
 *
 * With FRESH_TLS_RESUME=1 it leaves wrk's sessions alone (the resumed handshakes of a returning client).
 * Either way it counts the handshakes that completed, full and resumed, and writes "full resumed" to the
 * file named by FRESH_TLS_COUNTS when wrk exits, so that the benchmark can check which kind it measured.
 * Built by bench.py with gcc; no OpenSSL headers needed (the two types stay opaque).
 */
#define _GNU_SOURCE
#include <dlfcn.h>
#include <stdio.h>
#include <stdlib.h>

typedef struct ssl_st SSL;
typedef struct ssl_session_st SSL_SESSION;

static unsigned long full, resumed; /* wrk -t1 for scenario 2; atomic all the same */

static void *next(const char *name) {
    void *f = dlsym(RTLD_NEXT, name);
    if (f == NULL) {
        fprintf(stderr, "fresh-tls: %s not found\n", name);
        abort();
    }
    return f;
}

int SSL_clear(SSL *s) {
    static int (*clear)(SSL *);
    static int (*set_session)(SSL *, SSL_SESSION *);
    if (clear == NULL) {
        set_session = (int (*)(SSL *, SSL_SESSION *)) next("SSL_set_session");
        clear = (int (*)(SSL *)) next("SSL_clear");
    }
    static int resume = -1;
    if (resume < 0) {
        const char *v = getenv("FRESH_TLS_RESUME");
        resume = v != NULL && v[0] == '1';
    }
    if (!resume) {
        set_session(s, NULL);
    }
    return clear(s);
}

int SSL_connect(SSL *s) {
    static int (*connect)(SSL *);
    static int (*reused)(const SSL *);
    if (connect == NULL) {
        reused = (int (*)(const SSL *)) next("SSL_session_reused");
        connect = (int (*)(SSL *)) next("SSL_connect");
    }
    int r = connect(s);
    if (r == 1) {
        __atomic_add_fetch(reused(s) ? &resumed : &full, 1, __ATOMIC_RELAXED);
    }
    return r;
}

__attribute__((destructor)) static void counts(void) {
    const char *path = getenv("FRESH_TLS_COUNTS");
    FILE *f = path == NULL ? NULL : fopen(path, "w");
    if (f != NULL) {
        fprintf(f, "%lu %lu\n", full, resumed);
        fclose(f);
    }
}
