/* libcurl.c -- bench HTTP client in plain C on libcurl's multi interface: the limit for the http-client workload. */
/*
 * usage: libcurl URL N CONCURRENCY [CAFILE]
 *
 * CONCURRENCY easy handles, made once and reused: each is added to one
 * multi handle, and when its transfer is done it is checked (status 200,
 * exactly 1024 body bytes), removed and added again for the next GET while
 * fewer than N have been started. The connections stay in the multi
 * handle's pool between transfers (keep-alive), at most CONCURRENCY to the
 * host. The loop is curl_multi_perform + curl_multi_poll. The body is
 * copied into the handle's own buffer, as any client that hands it on
 * must. With CAFILE the server's certificate is verified against it.
 * Prints how many answers were right (the first failure and how many failed
 * go to stderr).
 */
#include <curl/curl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define BODY_LEN 1024

struct slot {
    CURL *easy;
    char body[BODY_LEN];
    size_t len;        /* bytes received; more than BODY_LEN is counted, not kept */
};

static size_t on_data(char *p, size_t size, size_t n, void *userdata) {
    struct slot *s = userdata;
    size_t len = size * n;
    if (s->len + len <= BODY_LEN) memcpy(s->body + s->len, p, len);
    s->len += len;
    return len;
}

int main(int argc, char **argv) {
    if (argc != 4 && argc != 5) { fprintf(stderr, "usage: %s URL N CONCURRENCY [CAFILE]\n", argv[0]); return 2; }
    const char *url = argv[1], *cafile = argc == 5 ? argv[4] : NULL;
    long total = atol(argv[2]), conc = atol(argv[3]);
    if (total < 0 || conc < 1) { fprintf(stderr, "bad N or CONCURRENCY\n"); return 2; }
    if (curl_global_init(CURL_GLOBAL_DEFAULT) != CURLE_OK) return 1;
    CURLM *multi = curl_multi_init();
    curl_multi_setopt(multi, CURLMOPT_MAX_HOST_CONNECTIONS, conc);
    curl_multi_setopt(multi, CURLMOPT_MAXCONNECTS, conc);
    struct slot *slots = calloc(conc, sizeof *slots);
    if (!multi || !slots) return 1;
    long started = 0, good = 0, done = 0, failed = 0;
    for (long i = 0; i < conc; i++) {
        CURL *e = slots[i].easy = curl_easy_init();
        if (!e) return 1;
        curl_easy_setopt(e, CURLOPT_URL, url);
        curl_easy_setopt(e, CURLOPT_NOSIGNAL, 1L);
        curl_easy_setopt(e, CURLOPT_WRITEFUNCTION, on_data);
        curl_easy_setopt(e, CURLOPT_WRITEDATA, &slots[i]);
        curl_easy_setopt(e, CURLOPT_PRIVATE, &slots[i]);
        if (cafile) curl_easy_setopt(e, CURLOPT_CAINFO, cafile);
        if (started < total) {
            curl_multi_add_handle(multi, e);
            started++;
        }
    }
    int running = 1;
    while (done < started) {
        if (curl_multi_perform(multi, &running) != CURLM_OK) return 1;
        CURLMsg *m;
        int left;
        while ((m = curl_multi_info_read(multi, &left))) {
            if (m->msg != CURLMSG_DONE) continue;
            struct slot *s;
            long status = 0;
            curl_easy_getinfo(m->easy_handle, CURLINFO_PRIVATE, (char **)&s);
            curl_easy_getinfo(m->easy_handle, CURLINFO_RESPONSE_CODE, &status);
            if (m->data.result != CURLE_OK) {
                if (!failed++) fprintf(stderr, "libcurl: %s\n", curl_easy_strerror(m->data.result));
            } else if (status == 200 && s->len == BODY_LEN)
                good++;
            done++;
            curl_multi_remove_handle(multi, s->easy);
            s->len = 0;
            if (started < total) {
                curl_multi_add_handle(multi, s->easy);
                started++;
            }
        }
        if (done < started && curl_multi_poll(multi, NULL, 0, 1000, NULL) != CURLM_OK) return 1;
    }
    for (long i = 0; i < conc; i++) curl_easy_cleanup(slots[i].easy);
    curl_multi_cleanup(multi);
    free(slots);
    curl_global_cleanup();
    if (failed) fprintf(stderr, "libcurl: %ld transfers failed\n", failed);
    printf("%ld\n", good);
    return 0;
}
