/* check_runtime.h -- the Check suites of the runtime unit tests, one per module */
#ifndef CHECK_RUNTIME_H
#define CHECK_RUNTIME_H

#include <check.h>

Suite *heap_suite(void);
Suite *loop_suite(void);
Suite *signals_suite(void);
Suite *pool_suite(void);
Suite *workers_suite(void);
Suite *resolve_suite(void);
Suite *buf_suite(void);
Suite *sock_suite(void);
Suite *stream_suite(void);
Suite *curl_suite(void);
Suite *stream_connect_suite(void);
Suite *listener_suite(void);
Suite *mailbox_suite(void);
Suite *process_suite(void);
Suite *process_stop_suite(void);
Suite *filewatch_suite(void);
Suite *ticker_suite(void);
Suite *fdwatch_suite(void);
Suite *control_suite(void);
Suite *lag_suite(void);
Suite *dgram_suite(void);
Suite *tls_suite(void);

#endif
